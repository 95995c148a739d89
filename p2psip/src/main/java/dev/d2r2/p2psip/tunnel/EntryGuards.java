package dev.d2r2.p2psip.tunnel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The few peers a user lets next to it in its inbound tunnels. The seed (§3.1) shows that the hop
 * adjacent to the user can de-anonymise it by crawling the DHT; with a fixed set of g guards an
 * attacker gets that position with probability g/n once, instead of eventually as tunnels are
 * rebuilt through fresh random peers. A guard is replaced only when it is gone from the pool.
 */
public final class EntryGuards {
    public static final int DEFAULT_COUNT = 3;

    private final int count;
    private final Random random;
    private final List<Hop> guards = new ArrayList<>();

    public EntryGuards(int count, Random random) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one entry guard, not " + count);
        }
        this.count = count;
        this.random = random;
    }

    /** The current guards: those still in {@code pool}, topped up from it at random to {@link #count}. */
    public List<Hop> current(List<Hop> pool) {
        guards.retainAll(pool);
        List<Hop> candidates = new ArrayList<>(pool);
        candidates.removeAll(guards);
        Collections.shuffle(candidates, random);
        for (int i = 0; guards.size() < count && i < candidates.size(); i++) {
            guards.add(candidates.get(i));
        }
        return List.copyOf(guards);
    }
}
