package dev.d2r2.p2psip.tunnel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Picks the hops of a tunnel from the forwarding pool (filled by random-id lookups in the
 * forwarding overlay, never from the routing table: the caller's concern). Hops are distinct and
 * never the user itself; an inbound tunnel's first hop is one of the {@link EntryGuards}, and its
 * other hops are none of them.
 */
public final class PathSelector {
    private final Hop self;
    private final EntryGuards guards;
    private final Random random;

    public PathSelector(Hop self, EntryGuards guards, Random random) {
        this.self = self;
        this.guards = guards;
        this.random = random;
    }

    /** {@code hop} no longer accepts connections: if it is an entry guard, another replaces it at the next pick. */
    public void departed(Hop hop) {
        guards.departed(hop);
    }

    /** A path of the kind's default length. */
    public List<Hop> pick(TunnelKind kind, List<Hop> pool) {
        return pick(kind, kind.defaultLength(), pool);
    }

    /** @throws IllegalStateException if the pool has too few peers (or no guard) for {@code length} distinct hops */
    public List<Hop> pick(TunnelKind kind, int length, List<Hop> pool) {
        List<Hop> others = new ArrayList<>(pool);
        others.removeIf(h -> h.sameKey(self.publicKey()));
        if (length < 1 || length > SetupOnion.MAX_HOPS || others.size() < length) {
            throw new IllegalStateException("cannot pick " + length + " distinct hops from a pool of " + others.size());
        }
        List<Hop> path = new ArrayList<>();
        if (kind == TunnelKind.INBOUND) {
            List<Hop> g = guards.current(others);
            path.add(g.get(random.nextInt(g.size())));
            // no guard anywhere else in an inbound path: an entry point is public (contact data), and one that is also a guard
            // would be named as the entry of one tunnel while it sees the user's address as its predecessor in another
            others.removeAll(g);
            if (others.size() < length - 1) {
                throw new IllegalStateException("cannot pick " + (length - 1) + " hops besides the guards from a pool of " + others.size());
            }
        }
        Collections.shuffle(others, random);
        path.addAll(others.subList(0, length - path.size()));
        return List.copyOf(path);
    }
}
