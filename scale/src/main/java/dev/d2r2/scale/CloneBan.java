package dev.d2r2.scale;

/**
 * A prohibition the policy put in force: no new instance of {@code type} (of any type when null)
 * goes to {@code cloud} until {@code expires} (epoch ms) or until it is lifted. From the policy
 * engine's scaler actuator, op {@code forbid-clone}: the target is the cloud, the optional
 * parameter {@code type} the type, the action id {@code action}.
 */
public record CloneBan(String action, String cloud, String type, long expires) {
    public static final String OP = "forbid-clone";
    public static final String TYPE_PARAM = "type";

    /** The ban the policy put in force as {@code action} is revoked. */
    public record Lift(String action) {
    }

    boolean covers(String type, String cloud, long nowMs) {
        return this.cloud.equals(cloud) && (this.type == null || this.type.equals(type)) && nowMs < expires;
    }
}
