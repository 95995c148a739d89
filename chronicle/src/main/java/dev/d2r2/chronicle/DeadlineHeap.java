package dev.d2r2.chronicle;

import java.util.Arrays;

/**
 * A binary min-heap of values by a {@code long} deadline, the keys in a primitive array beside the
 * values: no comparator call and no read of a value to compare two entries.
 */
final class DeadlineHeap<T> {
    private long[] keys = new long[16];
    private Object[] values = new Object[16];
    private int size;

    int size() {
        return size;
    }

    /** The smallest deadline; {@link Long#MAX_VALUE} when empty. */
    long peekKey() {
        return size == 0 ? Long.MAX_VALUE : keys[0];
    }

    void add(long key, T value) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            keys[i] = keys[parent];
            values[i] = values[parent];
            i = parent;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** Removes and returns the value with the smallest deadline. */
    @SuppressWarnings("unchecked")
    T poll() {
        T top = (T) values[0];
        int last = --size;
        long key = keys[last];
        Object value = values[last];
        values[last] = null;
        int i = 0;
        int half = last >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < last && keys[child + 1] < keys[child]) {
                child++;
            }
            if (key <= keys[child]) {
                break;
            }
            keys[i] = keys[child];
            values[i] = values[child];
            i = child;
        }
        if (last > 0) {
            keys[i] = key;
            values[i] = value;
        }
        return top;
    }
}
