package dev.d2r2.tunnel.path;

/**
 * How a path's measurements become one cost (lower is better):
 *
 * <pre>
 * cost = delay × rtt_ms + jitter × jitter_ms + loss × loss_% + distrust × (1 − trust) × 100 + penalty
 * </pre>
 *
 * With the defaults (1, 2, 10, 1) one percent of loss weighs as much as 10 ms of round trip, jitter
 * counts twice as much as delay (it hurts real-time traffic more than a steady delay), and a fully
 * distrusted path costs 100 (a 100 ms round trip). {@code penalty} is the path's own configured cost
 * (a metered backup link). A path that is down has no cost: it is not usable.
 */
public record ScoreWeights(double delay, double jitter, double loss, double distrust) {
    public static final ScoreWeights DEFAULTS = new ScoreWeights(1, 2, 10, 1);

    public ScoreWeights {
        for (double w : new double[]{delay, jitter, loss, distrust}) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights are finite and not negative");
            }
        }
    }

    public double cost(long rttNanos, long jitterNanos, double lossFraction, double trust, double penalty) {
        double rttMs = Math.max(0, rttNanos) / 1e6;
        return delay * rttMs + jitter * jitterNanos / 1e6 + loss * lossFraction * 100 + distrust * (1 - trust) * 100 + penalty;
    }
}
