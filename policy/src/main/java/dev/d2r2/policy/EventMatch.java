package dev.d2r2.policy;

import dev.d2r2.core.Event;
import dev.d2r2.policy.config.MatchConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/** A compiled {@link MatchConfig}: tests an event and binds context parameters from it. */
final class EventMatch {
    private final MatchConfig spec;

    EventMatch(MatchConfig spec) {
        this.spec = spec;
    }

    /** The parameters bound from {@code e}, or null when {@code e} does not match (or lacks a bound value). */
    Map<String, String> bind(Event e) {
        if (!spec.type().equals(e.type())
                || (spec.source() != null && !spec.source().equals(e.source()))
                || (spec.from() != null && !spec.from().equals(e.from()))
                || (spec.to() != null && !spec.to().equals(e.to()))) {
            return null;
        }
        for (Map.Entry<String, String> a : spec.attrs().entrySet()) {
            if (!a.getValue().equals(field(e, a.getKey()))) {
                return null;
            }
        }
        Map<String, String> bound = new LinkedHashMap<>();
        for (Map.Entry<String, String> b : spec.bind().entrySet()) {
            String v = field(e, b.getValue());
            if (v == null || v.isEmpty()) {
                return null;
            }
            bound.put(b.getKey(), v);
        }
        return bound;
    }

    Map<String, String> bindings() {
        return spec.bind();
    }

    /** An event field by name, or else an attribute, as text. */
    static String field(Event e, String name) {
        return switch (name) {
            case "type" -> e.type();
            case "source" -> e.source();
            case "id" -> e.id();
            case "from" -> e.from();
            case "to" -> e.to();
            default -> {
                Object v = e.attrs().get(name);
                yield v == null ? null : v.toString();
            }
        };
    }
}
