package dev.d2r2.policy.config;

import dev.d2r2.core.config.InvalidAt;

/**
 * An abstract Or-BAC rule: in {@code organization}, {@code role} is permitted, prohibited or
 * obliged to perform {@code activity} on {@code view} when {@code context} holds; the higher
 * {@code priority} wins a conflict. {@code enforce} maps it to a concrete action.
 */
public record RuleConfig(String name, String kind, String organization, String role, String activity, String view,
                         String context, Integer priority, EnforceConfig enforce) {
    public RuleConfig {
        if (name == null || name.isBlank()) {
            throw new InvalidAt("a rule needs a name", "kind");
        }
        if (kind == null || !(kind.equals("permission") || kind.equals("prohibition") || kind.equals("obligation"))) {
            throw new InvalidAt("kind must be permission, prohibition or obligation", "kind");
        }
        for (String[] field : new String[][]{{"role", role}, {"activity", activity}, {"view", view}}) {
            if (field[1] == null || field[1].isBlank()) {
                throw new InvalidAt("rule " + name + " needs a " + field[0], "kind");
            }
        }
        context = context == null ? "nominal" : context;
        priority = priority == null ? 0 : priority;
    }
}
