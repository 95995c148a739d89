package dev.d2r2.core.actuator;

/**
 * An action the actuator could not carry out. {@code refused}: the actuator declines it for good
 * (bad target, its own policy), so retrying is pointless; otherwise the failure may be transient
 * and the caller retries with back-off.
 */
public final class ActuatorException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean refused;

    public ActuatorException(String message, boolean refused) {
        super(message);
        this.refused = refused;
    }

    public static ActuatorException failed(String message) {
        return new ActuatorException(message, false);
    }

    public static ActuatorException refused(String message) {
        return new ActuatorException(message, true);
    }

    public boolean refused() {
        return refused;
    }
}
