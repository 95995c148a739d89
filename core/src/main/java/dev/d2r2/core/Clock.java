package dev.d2r2.core;

/**
 * The time source every component takes, so that tests run scenarios in virtual time
 * ({@link ManualClock}) and production runs on {@link #system()}.
 */
public interface Clock {
    /** Wall-clock time in epoch milliseconds. */
    long millis();

    /** A monotonic reading in nanoseconds, for measuring intervals. */
    long nanos();

    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
