package dev.d2r2.policy;

import dev.d2r2.core.SubjectPattern;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.policy.config.ActuatorConfig;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The guards every new action passes before any actuator sees it: the allow-list (never act on
 * these subjects or targets), the actuator's rate (new actions in the last minute) and its blast
 * radius (targets affected at once, absolute or as a share of its population).
 */
final class Safety {
    static final long WINDOW_MS = 60_000;
    private final Policy policy;
    private final Map<String, Actuator> actuators;
    private final Map<String, ArrayDeque<Long>> recent = new HashMap<>();
    private final Map<String, Map<String, Integer>> targets = new HashMap<>();

    Safety(Policy policy, Map<String, Actuator> actuators) {
        this.policy = policy;
        this.actuators = actuators;
    }

    /** Why {@code a} must not be deployed now, or null when it may. */
    String refusal(Action a, String subject, long now) {
        for (SubjectPattern p : policy.allow) {
            if (p.matches(a.target()) || p.matches(subject)) {
                return "allow-list: " + (p.matches(a.target()) ? a.target() : subject) + " matches " + p;
            }
        }
        ActuatorConfig c = policy.actuators.get(a.actuator());
        if (c.maxPerMinute() != null) {
            ArrayDeque<Long> times = window(a.actuator(), now);
            if (times.size() >= c.maxPerMinute()) {
                return "rate: " + times.size() + " new actions on " + a.actuator() + " in the last minute (max-per-minute "
                        + c.maxPerMinute() + ")";
            }
        }
        Map<String, Integer> affected = targets.getOrDefault(a.actuator(), Map.of());
        if (affected.containsKey(a.target())) {
            return null;
        }
        int after = affected.size() + 1;
        if (c.maxActive() != null && after > c.maxActive()) {
            return "blast radius: " + affected.size() + " targets already affected by " + a.actuator() + " (max-active "
                    + c.maxActive() + ")";
        }
        if (c.maxShare() != null) {
            OptionalInt population = c.population() != null ? OptionalInt.of(c.population())
                    : actuators.containsKey(a.actuator()) ? actuators.get(a.actuator()).population() : OptionalInt.empty();
            if (population.isEmpty()) {
                return "blast radius: " + a.actuator() + " has a max-share but no known population";
            }
            if (after > c.maxShare() * population.getAsInt()) {
                return "blast radius: " + affected.size() + " of " + population.getAsInt() + " targets already affected by "
                        + a.actuator() + " (max-share " + c.maxShare() + ")";
            }
        }
        return null;
    }

    private ArrayDeque<Long> window(String actuator, long now) {
        ArrayDeque<Long> times = recent.computeIfAbsent(actuator, k -> new ArrayDeque<>());
        while (!times.isEmpty() && times.peekFirst() <= now - WINDOW_MS) {
            times.pollFirst();
        }
        return times;
    }

    /** A new action was decided at {@code at}: it counts against the rate and the blast radius. */
    void deployed(Action a, long at) {
        window(a.actuator(), at).addLast(at);
        targets.computeIfAbsent(a.actuator(), k -> new HashMap<>()).merge(a.target(), 1, Integer::sum);
    }

    /** An action ended: its target no longer counts against the blast radius. */
    void released(Action a) {
        Map<String, Integer> m = targets.get(a.actuator());
        if (m != null && m.merge(a.target(), -1, Integer::sum) <= 0) {
            m.remove(a.target());
        }
    }
}
