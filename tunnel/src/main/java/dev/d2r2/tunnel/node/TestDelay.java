package dev.d2r2.tunnel.node;

import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;

/**
 * {@code test-delay:}, for tests and benchmarks only: every data frame the node sends waits
 * {@code delay} plus a uniform 0..{@code jitter} in a {@link DelayStage} of {@code slots} frames.
 *
 * <pre>
 * test-delay: {delay: 20ms, jitter: 5ms, slots: 1024}
 * </pre>
 */
public record TestDelay(Duration delay, Duration jitter, Integer slots) {
    static final int DEFAULT_SLOTS = 1024;

    public TestDelay {
        if (delay == null || delay.isNegative()) {
            throw new InvalidAt("a delay of zero or more is required", "delay");
        }
        if (jitter != null && jitter.isNegative()) {
            throw new InvalidAt("must not be negative", "jitter");
        }
        if (slots != null && (slots < 1 || slots > 65_536)) {
            throw new InvalidAt("1 to 65536 frames", "slots");
        }
    }

    Duration jitterOrZero() {
        return jitter == null ? Duration.ZERO : jitter;
    }

    int slotsOrDefault() {
        return slots == null ? DEFAULT_SLOTS : slots;
    }
}
