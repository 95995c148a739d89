package dev.d2r2.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to; both readings advance together. */
public final class ManualClock implements Clock {
    private final AtomicLong nanos;

    public ManualClock(long startMillis) {
        this.nanos = new AtomicLong(Math.multiplyExact(startMillis, 1_000_000L));
    }

    @Override
    public long millis() {
        return Math.floorDiv(nanos.get(), 1_000_000L);
    }

    @Override
    public long nanos() {
        return nanos.get();
    }

    public void advance(Duration step) {
        if (step.isNegative()) {
            throw new IllegalArgumentException("a clock does not go back: " + step);
        }
        nanos.addAndGet(step.toNanos());
    }
}
