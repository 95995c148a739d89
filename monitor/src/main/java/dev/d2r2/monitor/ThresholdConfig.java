package dev.d2r2.monitor;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * The threshold repository's entry for one metric of a service.
 *
 * <pre>
 * - metric: tcp.connect_ms
 *   direction: above        # or below (default above)
 *   warning: 50
 *   critical: 200
 *   clear: 40               # hysteresis: back to ok only below this (above 'clear' for direction below)
 *   for: 30s                # a new state must last this long, or:
 *   samples: 3 of 5         # ... be seen in k of the last n samples
 * </pre>
 *
 * Without {@code warning} and {@code critical}, the entry only sets the time-in-state rule of
 * a probe that reports its own state (a Nagios plugin; the metric is the probe's name).
 */
public record ThresholdConfig(String metric, String direction, Double warning, Double critical, Double clear,
                              @JsonProperty("for") Duration hold, String samples) {
    public ThresholdConfig {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("a threshold needs a metric");
        }
        direction = direction == null ? "above" : direction;
        if (!direction.equals("above") && !direction.equals("below")) {
            throw new IllegalArgumentException("direction must be above or below, not " + direction);
        }
        boolean above = direction.equals("above");
        if (warning != null && critical != null && (above ? warning > critical : warning < critical)) {
            throw new IllegalArgumentException("warning " + warning + " is beyond critical " + critical + " for direction " + direction);
        }
        Double first = warning != null ? warning : critical;
        if (clear != null && (first == null || (above ? clear > first : clear < first))) {
            throw new IllegalArgumentException("clear " + clear + " must be on the ok side of the warning level");
        }
        if (hold != null && samples != null) {
            throw new IllegalArgumentException("give either for or samples, not both");
        }
        if (hold != null && (hold.isNegative() || hold.isZero())) {
            throw new IllegalArgumentException("for must be positive");
        }
        if (samples != null) {
            kOfN(samples);
        }
    }

    boolean above() {
        return direction.equals("above");
    }

    boolean hasLevels() {
        return warning != null || critical != null;
    }

    /** {@code "k of n"} as {k, n}. */
    static int[] kOfN(String text) {
        String[] p = text.strip().split("\\s+of\\s+");
        try {
            int k = Integer.parseInt(p[0].strip());
            int n = Integer.parseInt(p[1].strip());
            if (p.length != 2 || k < 1 || n < k || n > 1000) {
                throw new NumberFormatException();
            }
            return new int[]{k, n};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("samples must read \"k of n\" with 1 <= k <= n <= 1000, not \"" + text + "\"");
        }
    }

    /**
     * The level of {@code value} given the current state: critical or warning past their levels;
     * on the way back, ok only past the clear level (hysteresis).
     */
    String level(double value, String current) {
        if (critical != null && beyond(value, critical)) {
            return Alarm.CRITICAL;
        }
        if (warning != null && beyond(value, warning)) {
            return Alarm.WARNING;
        }
        boolean alarmed = Alarm.WARNING.equals(current) || Alarm.CRITICAL.equals(current);
        if (clear != null && alarmed && beyond(value, clear) && value != clear) {
            return warning != null ? Alarm.WARNING : current;
        }
        return Alarm.OK;
    }

    private boolean beyond(double value, double level) {
        return above() ? value >= level : value <= level;
    }
}
