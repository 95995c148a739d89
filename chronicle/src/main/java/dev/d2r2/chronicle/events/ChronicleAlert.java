package dev.d2r2.chronicle.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ChronicleEvents#ALERT}: the alert a recognition publishes.
 *
 * @param id         the emitted event's id ({@code <chronicle>#<n>}), or null without {@code emit}
 * @param type       the emitted type, or the chronicle's name
 * @param attributes the emitted attributes, or the bindings (without the three declared keys)
 */
public record ChronicleAlert(String id, String type, long time, String source, String chronicle, boolean uncertain,
                             List<String> events, Map<String, Object> attributes) {

    public ChronicleAlert {
        events = List.copyOf(events);
        attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** Whether {@code e} is a chronicle's alert: its type is the chronicle file's choice, its {@code chronicle} attribute is not. */
    public static boolean isAlert(Event e) {
        return e.attrs().containsKey(ChronicleEvents.CHRONICLE);
    }

    /** The ids in an {@link ChronicleEvents#EVENTS} attribute. */
    public static List<String> eventIds(String joined) {
        return joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>(attributes);
        attrs.put(ChronicleEvents.CHRONICLE, chronicle);
        attrs.put(ChronicleEvents.UNCERTAIN, uncertain);
        attrs.put(ChronicleEvents.EVENTS, String.join(",", events));
        return new Event(id, type, time, source, null, null, attrs);
    }

    public static ChronicleAlert from(Event e) throws EventFormatException {
        EventAttrs.expect(e, ChronicleEvents.ALERT);
        String chronicle = EventAttrs.string(e, ChronicleEvents.CHRONICLE);
        String events = EventAttrs.string(e, ChronicleEvents.EVENTS);
        if (!e.attrs().containsKey(ChronicleEvents.UNCERTAIN)) {
            throw new EventFormatException(e.type() + " alert of chronicle " + chronicle + " has no attribute '"
                    + ChronicleEvents.UNCERTAIN + "'");
        }
        boolean uncertain = EventAttrs.bool(e, ChronicleEvents.UNCERTAIN, false);
        Map<String, Object> rest = new LinkedHashMap<>(e.attrs());
        rest.remove(ChronicleEvents.CHRONICLE);
        rest.remove(ChronicleEvents.UNCERTAIN);
        rest.remove(ChronicleEvents.EVENTS);
        return new ChronicleAlert(e.id(), e.type(), e.time(), e.source(), chronicle, uncertain, eventIds(events), rest);
    }
}
