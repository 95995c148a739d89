package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.bfd.BfdTimers;

import java.time.Duration;

/**
 * The {@code bfd:} block of an EN or DN configuration; absent fields take the defaults: 10 ms
 * both ways, multiplier 3 (a dead DN is noticed 30 ms after its last packet), 1 s while not Up
 * (RFC 5880 §6.8.3).
 *
 * <pre>
 * bfd:
 *   tx: 10ms          # Desired Min TX Interval once Up (at least 10ms)
 *   rx: 10ms          # Required Min RX Interval
 *   multiplier: 3     # Detect Mult
 *   idle: 1s          # the interval while the session is not Up
 * </pre>
 */
public record BfdConfig(Duration tx, Duration rx, Integer multiplier, Duration idle) {
    public static final BfdConfig DEFAULTS = new BfdConfig(null, null, null, null);

    public BfdConfig {
        timers(tx, rx, multiplier, idle);
    }

    public BfdTimers timers() {
        return timers(tx, rx, multiplier, idle);
    }

    private static BfdTimers timers(Duration tx, Duration rx, Integer multiplier, Duration idle) {
        return new BfdTimers(tx == null ? Duration.ofMillis(10) : tx, rx == null ? Duration.ofMillis(10) : rx,
                multiplier == null ? 3 : multiplier, idle == null ? BfdTimers.RFC_IDLE : idle);
    }
}
