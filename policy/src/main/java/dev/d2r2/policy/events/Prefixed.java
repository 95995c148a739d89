package dev.d2r2.policy.events;

import dev.d2r2.core.Event;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map carried as one attribute per entry, its key prefixed ({@code bind.attacker}, {@code param.rate}). */
final class Prefixed {
    private Prefixed() {
    }

    static void put(Map<String, Object> attrs, String prefix, Map<String, String> m) {
        m.forEach((k, v) -> attrs.put(prefix + k, v));
    }

    static Map<String, String> read(Event e, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        e.attrs().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v.toString());
            }
        });
        return out;
    }
}
