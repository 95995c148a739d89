package dev.d2r2.scale;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;

/**
 * An overload metric (higher is worse, as a Nagios check's {@code -w}/{@code -c}): WARNING from
 * {@code warning}, CRITICAL from {@code critical}, and how long each must hold before the type is
 * overloaded — ASMONIA's WARNING and CRITICAL timespans, so that a short peak scales nothing.
 */
public record Thresholds(double warning, double critical,
                         @JsonProperty("warning-for") Duration warningFor,
                         @JsonProperty("critical-for") Duration criticalFor) {
    public Thresholds {
        if (!(warning > 0)) {
            throw new InvalidAt("warning must be above 0", "warning");
        }
        if (!(critical >= warning)) {
            throw new InvalidAt("critical must be at least warning (" + warning + ")", "critical");
        }
        if (warningFor == null || warningFor.isNegative()) {
            throw new InvalidAt("warning-for is required: how long WARNING must hold (e.g. 3s)", "warning-for");
        }
        if (criticalFor == null || criticalFor.isNegative()) {
            throw new InvalidAt("critical-for is required: how long CRITICAL must hold (e.g. 1s)", "critical-for");
        }
        if (criticalFor.compareTo(warningFor) > 0) {
            throw new InvalidAt("critical-for must not be longer than warning-for: CRITICAL is the worse state", "critical-for");
        }
    }
}
