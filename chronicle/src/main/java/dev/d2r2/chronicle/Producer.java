package dev.d2r2.chronicle;

import dev.d2r2.core.Event;

import java.util.HashMap;
import java.util.Map;

/**
 * TESS producer: the entry of an input stream. It forwards an event only if some consumer
 * interested in its type has not asked for such events to be discarded (consumer → producer
 * {@code Discard} / {@code remove-discard}); events no consumer wants are dropped here, at the
 * source, and counted.
 */
final class Producer {
    /** Per type: how many consumers want it now. */
    private final Map<String, int[]> wanting = new HashMap<>();
    private long discarded;

    void register(String type) {
        wanting.computeIfAbsent(type, k -> new int[1])[0]++;
    }

    /** {@code Discard(C)}: a consumer of {@code type} cannot use its events for now. */
    void discard(String type) {
        wanting.get(type)[0]--;
    }

    /** {@code remove-discard}: the consumer needs events of {@code type} again. */
    void removeDiscard(String type) {
        wanting.get(type)[0]++;
    }

    boolean forwards(Event e) {
        int[] n = wanting.get(e.type());
        if (n == null || n[0] == 0) {
            discarded++;
            return false;
        }
        return true;
    }

    long discarded() {
        return discarded;
    }
}
