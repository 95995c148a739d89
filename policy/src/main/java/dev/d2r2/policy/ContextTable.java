package dev.d2r2.policy;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The contexts that hold now, indexed by context and by the subjects they empower. */
final class ContextTable {
    private final Map<String, ContextInstance> byId = new LinkedHashMap<>();
    private final Map<String, Map<String, ContextInstance>> byContext = new HashMap<>();
    private final Map<String, Map<String, ContextInstance>> bySubject = new HashMap<>();

    /** Puts {@code c}, replacing the instance of the same id; returns the one replaced, or null. */
    ContextInstance put(ContextInstance c) {
        ContextInstance old = remove(c.id());
        byId.put(c.id(), c);
        byContext.computeIfAbsent(c.context(), k -> new LinkedHashMap<>()).put(c.id(), c);
        for (String subject : c.empowered().values()) {
            bySubject.computeIfAbsent(subject, k -> new LinkedHashMap<>()).put(c.id(), c);
        }
        return old;
    }

    ContextInstance remove(String id) {
        ContextInstance c = byId.remove(id);
        if (c != null) {
            drop(byContext, c.context(), id);
            for (String subject : c.empowered().values()) {
                drop(bySubject, subject, id);
            }
        }
        return c;
    }

    private static void drop(Map<String, Map<String, ContextInstance>> index, String key, String id) {
        Map<String, ContextInstance> m = index.get(key);
        if (m != null) {
            m.remove(id);
            if (m.isEmpty()) {
                index.remove(key);
            }
        }
    }

    ContextInstance get(String id) {
        return byId.get(id);
    }

    Collection<ContextInstance> all() {
        return byId.values();
    }

    Collection<ContextInstance> of(String context) {
        return byContext.getOrDefault(context, Map.of()).values();
    }

    /** The instances that empower {@code subject} in some role. */
    Collection<ContextInstance> empowering(String subject) {
        return bySubject.getOrDefault(subject, Map.of()).values();
    }

    Set<String> subjects() {
        return bySubject.keySet();
    }
}
