package dev.d2r2.scale;

/**
 * A request to scale a type: {@code scale-out} or {@code scale-in}, from the policy engine's
 * {@code scaler} actuator (the action id is {@code step}) or an operator.
 */
public record ScaleRequest(String op, String type, String step) {
    public static final String OUT = "scale-out";
    public static final String IN = "scale-in";

    public ScaleRequest {
        if (!OUT.equals(op) && !IN.equals(op)) {
            throw new IllegalArgumentException("unknown op " + op + " (scale-out or scale-in)");
        }
    }
}
