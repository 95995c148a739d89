package dev.d2r2.scale;

/**
 * A request to replace the instance serving at a backend id ({@code host:port}): a clone of a
 * healthy peer is brought into service first, then the instance is drained and stopped — make
 * before break. From the policy engine's {@code scaler} actuator (op {@code replace}, the target
 * the backend id, the action id {@code step}), as the sick-server policy asks for a server the
 * diagnosis indicts.
 */
public record ReplaceRequest(String address, String step) {
    public static final String OP = "replace";
}
