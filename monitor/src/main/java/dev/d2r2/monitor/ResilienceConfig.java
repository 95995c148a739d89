package dev.d2r2.monitor;

import java.time.Duration;

/**
 * The resilience assessor (the R-Peer's reasoning layer): every {@code every}, for each owned
 * service, ResumeNet D3.1c's metrics (§4.3) over the last {@code window} are published on {@code channel}.
 *
 * <pre>
 * resilience: {channel: resilience, every: 10s, window: 1h}
 * </pre>
 */
public record ResilienceConfig(String channel, Duration every, Duration window) {
    public static final String DEFAULT_CHANNEL = "resilience";
    public static final Duration DEFAULT_EVERY = Duration.ofSeconds(10);
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(1);

    public ResilienceConfig {
        channel = channel == null ? DEFAULT_CHANNEL : channel;
        every = every == null ? DEFAULT_EVERY : every;
        window = window == null ? DEFAULT_WINDOW : window;
        if (every.isNegative() || every.isZero() || window.compareTo(every) < 0) {
            throw new IllegalArgumentException("every must be positive and window at least every");
        }
    }
}
