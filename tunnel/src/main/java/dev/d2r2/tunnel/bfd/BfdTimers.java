package dev.d2r2.tunnel.bfd;

import java.time.Duration;

/**
 * A BFD session's configured timers: {@code tx} is the Desired Min TX Interval once Up,
 * {@code rx} the Required Min RX Interval, {@code multiplier} the Detect Mult. While the session is
 * not Up it sends every {@code idle} (RFC 5880 §6.8.3 asks for at least one second; tests and
 * benches may lower it). Intervals are whole milliseconds (the agent's timer resolution) and at
 * least {@link #MIN_MILLIS}: below that the jitter of §6.8.7 (a transmit interval under 90 % of
 * the detection time when the multiplier is 1) cannot be expressed in whole milliseconds.
 */
public record BfdTimers(Duration tx, Duration rx, int multiplier, Duration idle) {
    public static final Duration RFC_IDLE = Duration.ofSeconds(1);
    public static final long MIN_MILLIS = 10;

    /**
     * How long a replay window waits, with nothing accepted from a peer, before it takes the next
     * frame as a restarted sender's: twice the detection time, as RFC 5880 §6.8.1 forgets the
     * authentication sequence.
     */
    public long replayForgetNanos() {
        return 2L * multiplier * Math.max(tx.toNanos(), rx.toNanos());
    }

    public BfdTimers {
        for (Duration d : new Duration[]{tx, rx, idle}) {
            if (d == null || d.toMillis() < MIN_MILLIS || d.toMillis() > 60_000) {
                throw new IllegalArgumentException("BFD intervals are between " + MIN_MILLIS + " ms and 60 s, not " + d);
            }
        }
        if (multiplier < 1 || multiplier > 255) {
            throw new IllegalArgumentException("a BFD detect multiplier is between 1 and 255, not " + multiplier);
        }
    }
}
