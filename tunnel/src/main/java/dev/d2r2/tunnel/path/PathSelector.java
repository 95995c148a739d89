package dev.d2r2.tunnel.path;

import java.util.Arrays;

/**
 * Chooses among paths by cost ({@link ScoreWeights}), with hysteresis. The active path is the
 * usable path of lowest cost (the first listed on a tie) at the start, and afterwards:
 * <ul>
 *   <li>when the active path stops being usable (down, or no trust), the best usable path takes
 *       over at once (reason {@code down}; {@code lost} when none is left, {@code up} when one comes
 *       back after none);</li>
 *   <li>otherwise another path takes over only once it has been usable and cheaper than the active
 *       one by more than {@code margin} continuously for {@code hold} (reason {@code better}). Any
 *       moment in which it is not resets its hold, so a flapping path never pulls the traffic.</li>
 * </ul>
 * In {@link Mode#PRIMARY_BACKUP} all traffic goes on the active path. In {@link Mode#CONCURRENT}
 * it is spread over every usable path in proportion to {@code 1000 / (1 + cost)} (at least 1),
 * and the active path is only the one reported as leading. Owned by one thread; the weights are
 * published as a new array only when they change.
 */
public final class PathSelector {
    public enum Mode {
        PRIMARY_BACKUP("primary-backup"), CONCURRENT("concurrent");

        private final String key;

        Mode(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }

        public static Mode of(String key) {
            for (Mode m : values()) {
                if (m.key.equals(key)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("mode is primary-backup or concurrent, not " + key);
        }
    }

    /** The active path changed from {@code from} to {@code to} (-1: none). */
    public record Switch(int from, int to, String reason) {
    }

    private final Mode mode;
    private final double margin;
    private final long holdNanos;
    private int active = -1;
    private int candidate = -1;
    private long candidateSince;
    private int[] weights;

    public PathSelector(Mode mode, int paths, double margin, long holdNanos) {
        if (paths < 1 || !(margin >= 0) || holdNanos < 0) {
            throw new IllegalArgumentException("at least one path, a margin and a hold not negative");
        }
        this.mode = mode;
        this.margin = margin;
        this.holdNanos = holdNanos;
        this.weights = new int[paths];
    }

    /** Re-evaluates with each path's usability and cost now; returns the switch it made, or null. */
    public Switch evaluate(boolean[] usable, double[] cost, long nowNanos) {
        Switch made = decide(usable, cost, nowNanos);
        publishWeights(usable, cost);
        return made;
    }

    private Switch decide(boolean[] usable, double[] cost, long nowNanos) {
        int best = -1;
        for (int i = 0; i < usable.length; i++) {
            if (usable[i] && (best < 0 || cost[i] < cost[best])) {
                best = i;
            }
        }
        if (active < 0 || !usable[active]) {
            candidate = -1;
            if (best == active) {
                return null;
            }
            return switchTo(best, active < 0 ? "up" : best < 0 ? "lost" : "down");
        }
        if (best < 0 || best == active || !(cost[best] + margin < cost[active])) {
            candidate = -1;
            return null;
        }
        if (candidate != best) {
            candidate = best;
            candidateSince = nowNanos;
        }
        if (nowNanos - candidateSince < holdNanos) {
            return null;
        }
        candidate = -1;
        return switchTo(best, "better");
    }

    private Switch switchTo(int to, String reason) {
        Switch s = new Switch(active, to, reason);
        active = to;
        return s;
    }

    private void publishWeights(boolean[] usable, double[] cost) {
        int[] next = new int[weights.length];
        if (mode == Mode.PRIMARY_BACKUP) {
            if (active >= 0) {
                next[active] = 1;
            }
        } else {
            for (int i = 0; i < next.length; i++) {
                if (usable[i]) {
                    next[i] = (int) Math.max(1, Math.min(1000, Math.round(1000 / (1 + Math.max(0, cost[i])))));
                }
            }
        }
        if (!Arrays.equals(next, weights)) {
            weights = next;
        }
    }

    public int active() {
        return active;
    }

    public Mode mode() {
        return mode;
    }

    /** The share of traffic each path gets (all zero when none is usable); the same array until they change. */
    public int[] weights() {
        return weights;
    }
}
