package dev.d2r2.scale;

import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.Map;

/**
 * The clone bans in force, by action id: the policy's prohibitions on placing a type's new
 * instances in a cloud ({@link CloneBan}). A ban lapses at its expiry even if its revoke never
 * arrives, as every policy action does. Used on the scaler's thread.
 */
final class CloneBans {
    private final Map<String, CloneBan> byAction = new LinkedHashMap<>();

    /** Takes (or renews: same action id) a ban. */
    void put(CloneBan ban) {
        byAction.put(ban.action(), ban);
    }

    /** The ban lifted, or null when none was in force under that id. */
    CloneBan lift(String action) {
        return byAction.remove(action);
    }

    /** The action that forbids a new {@code type} instance in {@code cloud} now, or null when none does. */
    String forbidding(String type, String cloud, long nowMs) {
        for (CloneBan b : byAction.values()) {
            if (b.covers(type, cloud, nowMs)) {
                return b.action();
            }
        }
        return null;
    }

    /** Whether any ban in force (expired ones aside) still closes {@code cloud} to {@code type} (null: to every type). */
    boolean closes(String cloud, String type, long nowMs) {
        for (CloneBan b : byAction.values()) {
            if (b.cloud().equals(cloud) && Objects.equals(b.type(), type) && nowMs < b.expires()) {
                return true;
            }
        }
        return false;
    }
}
