package dev.d2r2.policy;

import dev.d2r2.policy.config.NodeConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One Or-BAC hierarchy (organizations, roles, activities or views): a forest where a node
 * inherits what applies to its ancestors. Rules about a role apply to its sub-roles, rules
 * about an activity to its sub-activities, and so on.
 */
public final class Hierarchy {
    private final Map<String, String> parents;
    private final Map<String, Set<String>> ancestors = new HashMap<>();

    /** Builds the hierarchy; {@code what} names it in errors ("role"). Parents must exist, cycles are refused. */
    public Hierarchy(String what, Map<String, NodeConfig> nodes) {
        this.parents = new LinkedHashMap<>();
        for (Map.Entry<String, NodeConfig> e : nodes.entrySet()) {
            String parent = e.getValue().parent();
            if (parent != null && !nodes.containsKey(parent)) {
                throw new IllegalArgumentException(what + " " + e.getKey() + ": unknown parent " + parent
                        + " (known: " + String.join(", ", nodes.keySet()) + ")");
            }
            parents.put(e.getKey(), parent);
        }
        for (String name : parents.keySet()) {
            Set<String> line = new HashSet<>();
            for (String n = name; n != null; n = parents.get(n)) {
                if (!line.add(n)) {
                    throw new IllegalArgumentException(what + " " + name + " is its own ancestor (a cycle through " + n + ")");
                }
            }
            ancestors.put(name, Collections.unmodifiableSet(line));
        }
    }

    public boolean contains(String name) {
        return parents.containsKey(name);
    }

    public Set<String> names() {
        return parents.keySet();
    }

    /** True when {@code node} is {@code ancestor} or lies below it. */
    public boolean isWithin(String node, String ancestor) {
        Set<String> line = ancestors.get(node);
        return line != null && line.contains(ancestor);
    }

    /** {@code name} and its ancestors. */
    public Set<String> lineOf(String name) {
        return ancestors.getOrDefault(name, Set.of());
    }

    /** The nodes without a parent. */
    public List<String> roots() {
        List<String> roots = new ArrayList<>();
        parents.forEach((n, p) -> {
            if (p == null) {
                roots.add(n);
            }
        });
        return roots;
    }
}
