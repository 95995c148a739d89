package dev.d2r2.core.probe;

import java.util.Map;

/**
 * One measurement: named values (metric suffix → value) and, for probes that judge for
 * themselves (Nagios plugins), a state ({@code ok|warning|critical|unknown}) with its text.
 */
public record Measurement(Map<String, Double> values, String state, String detail) {
    public Measurement {
        values = Map.copyOf(values);
    }

    public static Measurement of(Map<String, Double> values) {
        return new Measurement(values, null, null);
    }
}
