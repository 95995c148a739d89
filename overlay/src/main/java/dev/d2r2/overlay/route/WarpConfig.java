package dev.d2r2.overlay.route;

import java.time.Duration;

/**
 * WARP's parameters (ResumeNet D3.1c §5.3 names k and a time-out and leaves them, and "sufficient
 * performance", open; these are d2r2's choices, sized for a reroute within 2 s on a LAN).
 *
 * @param k             peers an extended search asks per step (phase 3)
 * @param probes        UDP probes per measurement (a seeker is sent as many times)
 * @param probeTimeout  how long a measuring peer waits for its probes' answers
 * @param seekTimeout   how long the source waits for the seekers' answers (phase 1)
 * @param traceTimeout  how long the source collects the path's reports (phase 2)
 * @param askTimeout    how long one step of the extended search waits for answers (phase 3)
 * @param searchTimeout a search ends after this, or when the extended search has nobody left to ask: with the best
 *                      insufficient relay seen, if any, else it starts again
 * @param maxHops       a seeker or trace is dropped after this many overlay hops
 * @param maxRtt        sufficient performance: a relay's mean round-trip time to the destination at most this (below probeTimeout)
 * @param maxLoss       sufficient performance: the share of its probes lost at most this
 */
public record WarpConfig(int k, int probes, Duration probeTimeout, Duration seekTimeout, Duration traceTimeout,
                         Duration askTimeout, Duration searchTimeout, int maxHops, Duration maxRtt, double maxLoss) {
    public WarpConfig {
        if (k < 1 || probes < 1 || probes > 32 || maxHops < 1 || maxHops > 64 || maxLoss < 0 || maxLoss > 1) {
            throw new IllegalArgumentException("WARP needs k ≥ 1, 1–32 probes, 1–64 hops and a loss threshold in [0, 1]");
        }
        if (maxRtt.compareTo(probeTimeout) >= 0) {
            throw new IllegalArgumentException("WARP's RTT threshold must be below the probe time-out (no slower answer is seen)");
        }
    }

    public static WarpConfig defaults() {
        return new WarpConfig(3, 3, Duration.ofMillis(150), Duration.ofMillis(250), Duration.ofMillis(250),
                Duration.ofMillis(250), Duration.ofSeconds(3), 8, Duration.ofMillis(100), 0.34);
    }

    boolean sufficient(WarpMessage.Measured m) {
        return m.answered() > 0 && m.rttMillis() <= maxRtt.toMillis() && m.loss() <= maxLoss;
    }
}
