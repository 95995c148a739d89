package dev.d2r2.p2psip.tunnel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Picks the hops of a tunnel from the forwarding pool (filled by random-id lookups in the
 * forwarding overlay, never from the routing table: the caller's concern). Hops are distinct and
 * never the user itself; an inbound tunnel's first hop is one of the {@link EntryGuards}.
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
            Hop first = g.get(random.nextInt(g.size()));
            path.add(first);
            others.remove(first);
        }
        Collections.shuffle(others, random);
        path.addAll(others.subList(0, length - path.size()));
        return List.copyOf(path);
    }
}
