package dev.d2r2.bft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Commands submitted to this replica and not yet decided, in arrival order. A replica proposes
 * only its own commands, so without a faulty leader a command is decided at most once; commands
 * are keyed by content so that a decided block removes them whoever proposed it.
 */
final class PendingCommands {
    private final LinkedHashMap<Key, byte[]> queue = new LinkedHashMap<>();
    private final int capacity;

    PendingCommands(int capacity) {
        this.capacity = capacity;
    }

    /** Queues {@code command}; false when the queue is full or already holds the same bytes. */
    boolean add(byte[] command) {
        return queue.size() < capacity && queue.putIfAbsent(new Key(command), command) == null;
    }

    /** Up to {@code max} commands in arrival order, skipping those in {@code excluded}. */
    List<byte[]> take(int max, Set<Key> excluded) {
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

    void removeAll(List<byte[]> decided) {
        if (queue.isEmpty()) {
            return;
        }
        for (byte[] command : decided) {
            queue.remove(new Key(command));
        }
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** A command compared by content. */
    static final class Key {
        private final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
