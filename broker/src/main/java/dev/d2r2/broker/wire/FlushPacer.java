package dev.d2r2.broker.wire;

/**
 * Spaces a connection's flushes at least {@link #GAP_NANOS} apart. A write after a quiet spell
 * goes out at once; under a steady stream, what is written within the gap shares the next TLS
 * record and system call, and the receiver wakes once for it (see docs/broker.md, "Flush gap").
 * One pacer per connection direction, used by one thread at a time.
 */
public final class FlushPacer {
    public static final long GAP_NANOS = 250_000L;
    private long lastFlush = Long.MIN_VALUE / 2;

    /** How long to wait, from {@code now}, before the next flush may go (0: at once). */
    public long delay(long now) {
        return delay(now, GAP_NANOS);
    }

    /** As {@link #delay(long)}, with a gap of {@code gapNanos}. */
    public long delay(long now, long gapNanos) {
        return Math.max(0, lastFlush + gapNanos - now);
    }

    public void flushed(long now) {
        lastFlush = now;
    }
}
