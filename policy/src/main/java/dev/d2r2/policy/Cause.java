package dev.d2r2.policy;

import dev.d2r2.core.Event;

import java.util.Map;

/**
 * Why a context holds: the event that activated or last renewed it — for an alert, its id, the
 * chronicle that recognized it and the events behind it ({@code chronicle} and {@code events}
 * attributes of a chronicle's alert).
 */
public record Cause(String id, String type, String source, String chronicle, String events) {
    static final String PREFIX = "cause.";

    static Cause of(Event e) {
        return new Cause(e.id(), e.type(), e.source(), text(e.attrs().get("chronicle")), text(e.attrs().get("events")));
    }

    static Cause internal(String what) {
        return new Cause(null, what, null, null, null);
    }

    void into(Map<String, Object> attrs) {
        put(attrs, "id", id);
        put(attrs, "type", type);
        put(attrs, "source", source);
        put(attrs, "chronicle", chronicle);
        put(attrs, "events", events);
    }

    static Cause from(Map<String, Object> attrs) {
        return new Cause(text(attrs.get(PREFIX + "id")), text(attrs.get(PREFIX + "type")), text(attrs.get(PREFIX + "source")),
                text(attrs.get(PREFIX + "chronicle")), text(attrs.get(PREFIX + "events")));
    }

    private static void put(Map<String, Object> attrs, String key, String value) {
        if (value != null) {
            attrs.put(PREFIX + key, value);
        }
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }
}
