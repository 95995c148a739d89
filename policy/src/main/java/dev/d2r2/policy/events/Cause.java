package dev.d2r2.policy.events;

import dev.d2r2.core.Event;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Why a context holds, or why an action was decided: the event that activated, renewed or ended
 * the context (a revoke that is not for a context's end carries on the cause of the decision it
 * revokes) — for an alert, its id, the chronicle that recognized it and the ids of the events
 * behind it (the {@code chronicle} and {@code events} attributes of a chronicle's alert). Carried
 * in the policy's events as the {@code cause.*} attributes.
 */
public record Cause(String id, String type, String source, String chronicle, String events) {
    public static final String ID = "cause.id";
    public static final String TYPE = "cause.type";
    public static final String SOURCE = "cause.source";
    public static final String CHRONICLE = "cause.chronicle";
    public static final String EVENTS = "cause.events";
    /** The attributes of a chronicle's alert that name the chronicle and the events it matched. */
    static final String ALERT_CHRONICLE = "chronicle";
    static final String ALERT_EVENTS = "events";

    /** The cause an accepted event makes. */
    public static Cause of(Event e) {
        return new Cause(e.id(), e.type(), e.source(), text(e.attrs().get(ALERT_CHRONICLE)), text(e.attrs().get(ALERT_EVENTS)));
    }

    /** A cause inside the engine ({@code start}, {@code window}): only its type. */
    public static Cause internal(String what) {
        return new Cause(null, what, null, null, null);
    }

    /** The ids of the events the chronicle matched, in order; empty when none are named. */
    public List<String> eventIds() {
        return events == null || events.isEmpty() ? List.of() : Arrays.asList(events.split(","));
    }

    void into(Map<String, Object> attrs) {
        put(attrs, ID, id);
        put(attrs, TYPE, type);
        put(attrs, SOURCE, source);
        put(attrs, CHRONICLE, chronicle);
        put(attrs, EVENTS, events);
    }

    /** The cause an event of the policy carries, or null when it carries none. */
    static Cause from(Event e) {
        Map<String, Object> a = e.attrs();
        if (!a.containsKey(TYPE) && !a.containsKey(ID)) {
            return null;
        }
        return new Cause(text(a.get(ID)), text(a.get(TYPE)), text(a.get(SOURCE)), text(a.get(CHRONICLE)), text(a.get(EVENTS)));
    }

    private static void put(Map<String, Object> attrs, String key, String value) {
        if (value != null) {
            attrs.put(key, value);
        }
    }

    private static String text(Object o) {
        return o == null ? null : o.toString();
    }
}
