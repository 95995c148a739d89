package dev.d2r2.policy.actuator;

import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.policy.config.ActuatorConfig;

/**
 * A kind of actuator, found by its config key ({@code kind: webhook}) through
 * {@link java.util.ServiceLoader}: a new actuator is one class and one line in
 * {@code META-INF/services/dev.d2r2.policy.actuator.ActuatorKind}.
 */
public interface ActuatorKind {
    String key();

    /** Checks the options this kind needs and refuses those it does not take ({@link dev.d2r2.core.config.InvalidAt}). */
    void validate(ActuatorConfig config);

    Actuator create(String name, ActuatorConfig config);
}
