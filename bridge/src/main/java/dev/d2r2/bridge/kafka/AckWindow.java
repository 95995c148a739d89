package dev.d2r2.bridge.kafka;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The channel offsets sent to Kafka and not yet known acknowledged, in the order they were sent.
 * Kafka acknowledges records of different partitions in any order; the bridge may store a position
 * only below the first one still unacknowledged, so {@link #advance} pops the acknowledged prefix.
 * {@link #add} and {@link #advance} are for the bridge's thread; {@link #ack} for Kafka's I/O thread.
 */
final class AckWindow {
    private static final long OPEN = -1;
    private final long[] offsets;
    private final AtomicLongArray acked;
    private final int mask;
    private long head;
    private long tail;

    /** @param capacity a power of two: at most this many records in flight */
    AckWindow(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        offsets = new long[capacity];
        acked = new AtomicLongArray(capacity);
        mask = capacity - 1;
    }

    boolean full() {
        return tail - head == offsets.length;
    }

    int size() {
        return (int) (tail - head);
    }

    /** Records one offset as sent; returns its slot, to be given to {@link #ack}. */
    int add(long offset) {
        int slot = (int) (tail & mask);
        offsets[slot] = offset;
        acked.set(slot, OPEN);
        tail++;
        return slot;
    }

    /** Kafka acknowledged the record in {@code slot} (any thread). */
    void ack(int slot, long offset) {
        acked.set(slot, offset);
    }

    /** Pops the acknowledged prefix; returns the offset after the last one popped, or -1 when none was. */
    long advance() {
        long next = -1;
        while (head < tail) {
            int slot = (int) (head & mask);
            if (acked.get(slot) != offsets[slot]) {
                break;
            }
            next = offsets[slot] + 1;
            head++;
        }
        return next;
    }

    /** Forgets everything in flight (after a rewind: it will be sent again). */
    void clear() {
        head = tail;
    }
}
