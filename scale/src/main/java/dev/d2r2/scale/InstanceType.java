package dev.d2r2.scale;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A type of instance under scaling control (ASMONIA's VM type): how it starts, where (its home
 * cloud, and what a cloud must offer to run it: {@code require}), how many of it at least and at most, the metrics
 * that overload it, the one that says it is underloaded, and how fast it may change.
 */
public record InstanceType(Template template, String cloud, int min, int max,
                           Map<String, Thresholds> metrics, Target target,
                           @JsonProperty("scale-down") ScaleDown scaleDown, Cooldown cooldown,
                           @JsonProperty("largest-step") int largestStep,
                           @JsonProperty("drain-deadline") Duration drainDeadline, Requirement require) {
    public static final Duration DEFAULT_DRAIN_DEADLINE = Duration.ofMinutes(2);

    public InstanceType {
        if (template == null) {
            throw new InvalidAt("template is required: how an instance starts", "template");
        }
        if (cloud == null || cloud.isBlank()) {
            throw new InvalidAt("cloud is required: where the type's instances run", "cloud");
        }
        if (min < 1) {
            throw new InvalidAt("min must be at least 1: scaling never removes the last instance", "min");
        }
        if (max < min) {
            throw new InvalidAt("max must be at least min (" + min + ")", "max");
        }
        if (metrics == null || metrics.isEmpty()) {
            throw new InvalidAt("metrics is required: at least one overload metric with its thresholds", "metrics");
        }
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        if (target == null) {
            throw new InvalidAt("target is required: { metric: M, per-instance: N }", "target");
        }
        Thresholds tracked = metrics.get(target.metric());
        if (tracked == null) {
            throw new InvalidAt("target metric " + target.metric() + " is not one of metrics (" + String.join(", ", metrics.keySet()) + ")",
                    "target", "metric");
        }
        if (target.perInstance() >= tracked.warning()) {
            throw new InvalidAt("per-instance must be below " + target.metric() + "'s warning (" + tracked.warning()
                    + "), or a pool sized for it is overloaded at once", "target", "per-instance");
        }
        if (scaleDown == null) {
            throw new InvalidAt("scale-down is required: { metric: active_calls, below: N, for: D }", "scale-down");
        }
        cooldown = cooldown == null ? Cooldown.DEFAULT : cooldown;
        largestStep = largestStep == 0 ? max - min : largestStep;
        if (largestStep < 1) {
            throw new InvalidAt("largest-step must be at least 1", "largest-step");
        }
        require = require == null ? Requirement.NONE : require;
        drainDeadline = drainDeadline == null ? DEFAULT_DRAIN_DEADLINE : drainDeadline;
        if (drainDeadline.isNegative() || drainDeadline.isZero()) {
            throw new InvalidAt("drain-deadline must be above 0", "drain-deadline");
        }
    }
}
