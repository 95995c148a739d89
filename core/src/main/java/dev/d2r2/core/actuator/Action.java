package dev.d2r2.core.actuator;

import java.util.Map;
import java.util.Objects;

/**
 * A concrete remediation action: what an actuator does ({@code op}, e.g. {@code block}) to whom
 * ({@code target}, e.g. a source address), with op-specific {@code params}, until {@code expires}
 * (epoch ms). {@code id} is derived from the rest, so deploying the same action twice names the
 * same id: actuators treat a repeated deploy as an update of its expiry.
 */
public record Action(String id, String actuator, String op, String target, Map<String, String> params, long expires) {
    public Action {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(actuator, "actuator");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(target, "target");
        params = params == null ? Map.of() : params;
    }

    public Action withExpiry(long until) {
        return new Action(id, actuator, op, target, params, until);
    }
}
