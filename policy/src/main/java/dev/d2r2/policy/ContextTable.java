package dev.d2r2.policy;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The contexts that hold now, indexed by context, by the subjects they empower (and in which
 * context), and by the roles each subject holds: every question the {@link Deriver} asks is a
 * lookup, so a flood of many sources costs the same per alert as a single one.
 */
final class ContextTable {
    private final Map<String, ContextInstance> byId = new LinkedHashMap<>();
    private final Map<String, Map<String, ContextInstance>> byContext = new HashMap<>();
    private final Map<String, Map<String, Map<String, ContextInstance>>> bySubject = new HashMap<>();
    /** Subject → context → role → how many instances empower the subject in that role. */
    private final Map<String, Map<String, Map<String, Integer>>> roles = new HashMap<>();

    /** Puts {@code c}, replacing the instance of the same id. */
    void put(ContextInstance c) {
        remove(c.id());
        byId.put(c.id(), c);
        byContext.computeIfAbsent(c.context(), k -> new LinkedHashMap<>()).put(c.id(), c);
        c.empowered().forEach((role, subject) -> {
            bySubject.computeIfAbsent(subject, k -> new HashMap<>()).computeIfAbsent(c.context(), k -> new LinkedHashMap<>())
                    .put(c.id(), c);
            roles.computeIfAbsent(subject, k -> new HashMap<>()).computeIfAbsent(c.context(), k -> new HashMap<>())
                    .merge(role, 1, Integer::sum);
        });
    }

    ContextInstance remove(String id) {
        ContextInstance c = byId.remove(id);
        if (c == null) {
            return null;
        }
        Map<String, ContextInstance> sameContext = byContext.get(c.context());
        sameContext.remove(id);
        if (sameContext.isEmpty()) {
            byContext.remove(c.context());
        }
        c.empowered().forEach((role, subject) -> {
            Map<String, Map<String, ContextInstance>> ofSubject = bySubject.get(subject);
            if (ofSubject != null) {
                Map<String, ContextInstance> m = ofSubject.get(c.context());
                if (m != null) {
                    m.remove(id);
                    if (m.isEmpty()) {
                        ofSubject.remove(c.context());
                    }
                }
                if (ofSubject.isEmpty()) {
                    bySubject.remove(subject);
                }
            }
            Map<String, Map<String, Integer>> held = roles.get(subject);
            Map<String, Integer> inContext = held == null ? null : held.get(c.context());
            if (inContext != null && inContext.merge(role, -1, Integer::sum) <= 0) {
                inContext.remove(role);
                if (inContext.isEmpty()) {
                    held.remove(c.context());
                }
                if (held.isEmpty()) {
                    roles.remove(subject);
                }
            }
        });
        return c;
    }

    ContextInstance get(String id) {
        return byId.get(id);
    }

    Collection<ContextInstance> all() {
        return byId.values();
    }

    int size() {
        return byId.size();
    }

    Collection<ContextInstance> of(String context) {
        return byContext.getOrDefault(context, Map.of()).values();
    }

    /** The instances of {@code context} that empower {@code subject} in some role. */
    Collection<ContextInstance> empowering(String subject, String context) {
        return bySubject.getOrDefault(subject, Map.of()).getOrDefault(context, Map.of()).values();
    }

    /** Every instance that empowers {@code subject}. */
    Collection<ContextInstance> empowering(String subject) {
        Map<String, Map<String, ContextInstance>> m = bySubject.get(subject);
        if (m == null) {
            return java.util.List.of();
        }
        java.util.List<ContextInstance> out = new java.util.ArrayList<>();
        m.values().forEach(x -> out.addAll(x.values()));
        return out;
    }

    /** The roles threat contexts empower {@code subject} in now. */
    Set<String> rolesOf(String subject) {
        Map<String, Map<String, Integer>> held = roles.get(subject);
        if (held == null) {
            return Set.of();
        }
        Set<String> out = new java.util.HashSet<>();
        held.values().forEach(m -> out.addAll(m.keySet()));
        return out;
    }

    /** The roles instances of {@code context} empower {@code subject} in now. */
    Set<String> rolesOf(String subject, String context) {
        return roles.getOrDefault(subject, Map.of()).getOrDefault(context, Map.of()).keySet();
    }

    Set<String> subjects() {
        return bySubject.keySet();
    }
}
