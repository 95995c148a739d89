package dev.d2r2.scale;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;

/**
 * When the type is underloaded: its scale-down metric (per instance, on average) stayed below
 * {@code below} for {@code for}. Active calls, not CPU (ASMONIA L239): an idle CPU says nothing
 * of the calls an instance still carries.
 */
public record ScaleDown(String metric, double below, @JsonProperty("for") Duration holdFor) {
    public static final String ACTIVE_CALLS = "active_calls";

    public ScaleDown {
        metric = metric == null ? ACTIVE_CALLS : metric;
        if (!(below > 0)) {
            throw new InvalidAt("below must be above 0", "below");
        }
        if (holdFor == null || holdFor.isNegative() || holdFor.isZero()) {
            throw new InvalidAt("for is required: how long the metric must stay below (e.g. 30s)", "for");
        }
    }
}
