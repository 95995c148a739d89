package dev.d2r2.policy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a rule is enforced: which actuator does what ({@code op}) to whom ({@code target},
 * default {@code ${subject}}) with which {@code params}, for how long. Texts may use
 * {@code ${subject}}, {@code ${rule}}, {@code ${context}} and the context's parameters.
 */
public record EnforceConfig(String actuator, String op, String target, Map<String, String> params,
                            @JsonProperty("for") Duration duration) {
    public EnforceConfig {
        if (actuator == null || actuator.isBlank()) {
            throw new InvalidAt("enforce needs an actuator", "actuator");
        }
        if (op == null || op.isBlank()) {
            throw new InvalidAt("enforce needs an op (e.g. block)", "op");
        }
        target = target == null ? "${subject}" : target;
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("every action needs a positive duration: for: (e.g. 10m)");
        }
    }
}
