package dev.d2r2.scale;

import dev.d2r2.scale.events.CloudAccess;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * The bans still in force after {@code history} (a scaler's {@code scale.cloud} events, oldest
     * first): each taken and not lifted since, and not expired at {@code nowMs}.
     */
    public static List<CloneBan> inForce(List<CloudAccess> history, long nowMs) {
        Map<String, CloneBan> byAction = new LinkedHashMap<>();
        for (CloudAccess a : history) {
            if (a.change().equals(CloudAccess.LIFT)) {
                byAction.remove(a.action());
            } else {
                byAction.put(a.action(), new CloneBan(a.action(), a.cloud(), a.type().equals(CloudAccess.EVERY_TYPE) ? null : a.type(),
                        a.expires()));
            }
        }
        return byAction.values().stream().filter(b -> nowMs < b.expires()).toList();
    }

    boolean covers(String type, String cloud, long nowMs) {
        return this.cloud.equals(cloud) && (this.type == null || this.type.equals(type)) && nowMs < expires;
    }
}
