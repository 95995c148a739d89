package dev.d2r2.policy.config;

import java.util.List;

/**
 * An organization, role, activity or view: its parent in the hierarchy, and the concrete things
 * it stands for — {@code members} (subjects, or CIDR blocks) of a role, {@code actions} of an
 * activity, {@code objects} of a view. The loader refuses a list that does not fit the hierarchy.
 */
public record NodeConfig(String parent, List<String> members, List<String> actions, List<String> objects) {
    public NodeConfig {
        members = members == null ? List.of() : List.copyOf(members);
        actions = actions == null ? List.of() : List.copyOf(actions);
        objects = objects == null ? List.of() : List.copyOf(objects);
    }
}
