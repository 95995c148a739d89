package dev.d2r2.scale;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

/**
 * Target tracking: the value of {@code metric} per instance that a step aims for. The step's size
 * is the load divided by it ({@link StepSizing}), so a 5× spike gets its capacity in one decision.
 */
public record Target(String metric, @JsonProperty("per-instance") double perInstance) {
    public Target {
        if (metric == null || metric.isBlank()) {
            throw new InvalidAt("target needs the metric it tracks (one of the type's metrics)", "metric");
        }
        if (!(perInstance > 0)) {
            throw new InvalidAt("per-instance must be above 0: the metric's value one instance should carry", "per-instance");
        }
    }
}
