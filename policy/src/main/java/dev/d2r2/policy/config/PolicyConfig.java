package dev.d2r2.policy.config;

import dev.d2r2.core.config.InvalidAt;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy file as written (see docs/policy.md): plain data, checked key by key. {@code Policy}
 * compiles it once loaded, checking the cross-references.
 */
public record PolicyConfig(Map<String, NodeConfig> organizations, Map<String, NodeConfig> roles,
                           Map<String, NodeConfig> activities, Map<String, NodeConfig> views,
                           Map<String, ContextConfig> contexts, List<RuleConfig> rules,
                           Map<String, ActuatorConfig> actuators, SafetyConfig safety) {

    public PolicyConfig(Map<String, NodeConfig> organizations, Map<String, NodeConfig> roles,
                        Map<String, NodeConfig> activities, Map<String, NodeConfig> views,
                        Map<String, ContextConfig> contexts, List<RuleConfig> rules,
                        Map<String, ActuatorConfig> actuators, SafetyConfig safety) {
        this.organizations = nodes(organizations);
        this.roles = nodes(roles);
        this.activities = nodes(activities);
        this.views = nodes(views);
        this.contexts = ordered("contexts", contexts);
        this.rules = rules == null ? List.of() : List.copyOf(rules);
        this.actuators = ordered("actuators", actuators);
        this.safety = safety == null ? SafetyConfig.none() : safety;
    }

    /** A hierarchy; a node written without settings ({@code user:}) is a root with no members. */
    private static Map<String, NodeConfig> nodes(Map<String, NodeConfig> m) {
        Map<String, NodeConfig> out = new LinkedHashMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, v == null ? new NodeConfig(null, null, null, null) : v));
        }
        return Collections.unmodifiableMap(out);
    }

    private static <V> Map<String, V> ordered(String key, Map<String, V> m) {
        if (m == null) {
            return Map.of();
        }
        m.forEach((k, v) -> {
            if (v == null) {
                throw new InvalidAt(k + " has no settings", key, k);
            }
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
