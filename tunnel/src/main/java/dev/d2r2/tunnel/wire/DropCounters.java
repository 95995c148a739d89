package dev.d2r2.tunnel.wire;

import java.util.concurrent.atomic.AtomicLongArray;

/** Dropped packets by {@link Drop} reason, counted from any thread without allocating. */
public final class DropCounters {
    private final AtomicLongArray counts = new AtomicLongArray(Drop.values().length);

    public void count(Drop reason) {
        counts.incrementAndGet(reason.ordinal());
    }

    public long get(Drop reason) {
        return counts.get(reason.ordinal());
    }

    public long total() {
        long sum = 0;
        for (int i = 0; i < counts.length(); i++) {
            sum += counts.get(i);
        }
        return sum;
    }
}
