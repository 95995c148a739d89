package dev.d2r2.app.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The story's phases as they happen: each with its start and, once over, its end (epoch ms). */
final class Phases {
    private final List<Map<String, Object>> phases = new ArrayList<>();

    synchronized void begin(String name, String what, long at) {
        if (!phases.isEmpty()) {
            phases.getLast().putIfAbsent("end", at);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("what", what);
        p.put("start", at);
        phases.add(p);
    }

    synchronized void end(long at) {
        if (!phases.isEmpty()) {
            phases.getLast().putIfAbsent("end", at);
        }
    }

    synchronized List<Map<String, Object>> snapshot() {
        return phases.stream().map(p -> (Map<String, Object>) new LinkedHashMap<>(p)).toList();
    }
}
