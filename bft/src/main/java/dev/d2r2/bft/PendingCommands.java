package dev.d2r2.bft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Commands this replica would propose as leader — its own and those forwarded to it — in arrival
 * order, keyed by (origin, sequence). Bounded per origin, so that a faulty replica flooding
 * forwards fills its own share only.
 */
final class PendingCommands {
    private final LinkedHashMap<Command.Id, byte[]> queue = new LinkedHashMap<>();
    private final int[] perOrigin;
    private final int capacityPerOrigin;

    PendingCommands(int origins, int capacityPerOrigin) {
        this.perOrigin = new int[origins];
        this.capacityPerOrigin = capacityPerOrigin;
    }

    /** Queues command {@code id}, encoded as {@code bytes}; false when its origin's share is full or it is queued. */
    boolean add(Command.Id id, byte[] bytes) {
        if (perOrigin[id.origin()] >= capacityPerOrigin || queue.putIfAbsent(id, bytes) != null) {
            return false;
        }
        perOrigin[id.origin()]++;
        return true;
    }

    /** Up to {@code max} encoded commands in arrival order, skipping those in {@code excluded}. */
    List<byte[]> take(int max, Set<Command.Id> excluded) {
        List<byte[]> batch = new ArrayList<>(Math.min(max, queue.size()));
        for (var e : queue.entrySet()) {
            if (batch.size() == max) {
                break;
            }
            if (!excluded.contains(e.getKey())) {
                batch.add(e.getValue());
            }
        }
        return batch;
    }

    void remove(Command.Id id) {
        if (queue.remove(id) != null) {
            perOrigin[id.origin()]--;
        }
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
