package dev.d2r2.broker.server;

import java.util.HashMap;
import java.util.Map;

/**
 * The last {@link #SIZE} events a replicated channel took, by publisher, sequence and envelope
 * fingerprint, so that an event sent again (a publisher retrying on another replica after a
 * failover) is not taken twice. Unlike {@link RecentEvents} it is a function of the channel's
 * last {@link #SIZE} events only, so every replica (and one rebuilt from its log after a
 * restart) decides alike. Apply thread only.
 */
final class CommittedWindow {
    static final int SIZE = 8192;

    private record Key(String publisher, long sequence, long fingerprint) {
    }

    private final Key[] ring = new Key[SIZE];
    private final Map<Key, Integer> counts = new HashMap<>();
    private long taken;

    /** Whether the event is not among the last {@link #SIZE} taken; if so it is taken (remembered). */
    boolean take(String publisher, long sequence, long fingerprint) {
        Key k = new Key(publisher, sequence, fingerprint);
        if (counts.containsKey(k)) {
            return false;
        }
        int slot = (int) (taken++ % SIZE);
        Key old = ring[slot];
        if (old != null) {
            counts.computeIfPresent(old, (key, n) -> n == 1 ? null : n - 1);
        }
        ring[slot] = k;
        counts.merge(k, 1, Integer::sum);
        return true;
    }
}
