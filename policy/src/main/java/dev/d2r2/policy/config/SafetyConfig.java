package dev.d2r2.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Guards above every rule: {@code allow} lists subjects and targets (exact, or CIDR blocks) that
 * are never acted on; {@code dry-run} decides and audits everything but calls no actuator.
 */
public record SafetyConfig(List<String> allow, @JsonProperty("dry-run") Boolean dryRun) {
    public SafetyConfig {
        allow = allow == null ? List.of() : List.copyOf(allow);
        dryRun = dryRun != null && dryRun;
    }

    public static SafetyConfig none() {
        return new SafetyConfig(List.of(), false);
    }
}
