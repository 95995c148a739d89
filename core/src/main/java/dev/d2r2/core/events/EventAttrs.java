package dev.d2r2.core.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;

/**
 * Typed reads of a received event's attributes for the records' {@code from(Event)}: a missing or
 * ill-typed attribute is an {@link EventFormatException} that names the event type and the key.
 */
public final class EventAttrs {
    private EventAttrs() {
    }

    /** Checks that {@code e} is of {@code type}. */
    public static void expect(Event e, EventType type) throws EventFormatException {
        if (!type.matches(e.type())) {
            throw new EventFormatException("expected a " + type.name() + " event, got " + e.type());
        }
        if (type.kind() == EventType.Kind.STATE && !e.isState()) {
            throw new EventFormatException(e.type() + " must be a state event (with 'to')");
        }
    }

    public static String string(Event e, String key) throws EventFormatException {
        Object v = e.attrs().get(key);
        if (v == null) {
            throw missing(e, key);
        }
        return v.toString();
    }

    public static String string(Event e, String key, String absent) {
        Object v = e.attrs().get(key);
        return v == null ? absent : v.toString();
    }

    public static long integer(Event e, String key) throws EventFormatException {
        Object v = e.attrs().get(key);
        if (v == null) {
            throw missing(e, key);
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        throw wrong(e, key, "an integer", v);
    }

    public static long integer(Event e, String key, long absent) throws EventFormatException {
        return e.attrs().containsKey(key) ? integer(e, key) : absent;
    }

    public static double number(Event e, String key) throws EventFormatException {
        Object v = e.attrs().get(key);
        if (v == null) {
            throw missing(e, key);
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw wrong(e, key, "a number", v);
    }

    public static double number(Event e, String key, double absent) throws EventFormatException {
        return e.attrs().containsKey(key) ? number(e, key) : absent;
    }

    public static boolean bool(Event e, String key, boolean absent) throws EventFormatException {
        Object v = e.attrs().get(key);
        if (v == null) {
            return absent;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrong(e, key, "true or false", v);
    }

    private static EventFormatException missing(Event e, String key) {
        return new EventFormatException(e.type() + " event from " + e.source() + " has no attribute '" + key + "'");
    }

    private static EventFormatException wrong(Event e, String key, String expected, Object v) {
        return new EventFormatException(e.type() + " event from " + e.source() + ": attribute '" + key + "' must be "
                + expected + ", not " + v);
    }
}
