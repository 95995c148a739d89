package dev.d2r2.chronicle;

import dev.d2r2.core.Event;

import java.util.List;
import java.util.Map;

/**
 * One recognized chronicle instance (spec §5). {@code matched} holds the bound events in
 * statement order, for {@code --explain}; {@code emitted} is the event its
 * {@code when recognized} block emits, or null.
 */
public record Recognition(String chronicle, long at, Map<String, Long> times, List<String> events,
                          Map<String, String> bindings, boolean uncertain, Chronicle definition, List<Event> matched,
                          Event emitted) {

    /**
     * The recognition as an alert event: the emitted event when there is one, else an event
     * named after the chronicle with its bindings; both carry {@code chronicle}, {@code uncertain}
     * and the matched {@code events}.
     */
    public Event toAlert() {
        Map<String, Object> attrs = new java.util.LinkedHashMap<>();
        if (emitted != null) {
            attrs.putAll(emitted.attrs());
        } else {
            attrs.putAll(bindings);
        }
        attrs.put("chronicle", chronicle);
        attrs.put("uncertain", uncertain);
        attrs.put("events", String.join(",", events));
        String type = emitted != null ? emitted.type() : chronicle;
        String source = emitted != null ? emitted.source() : null;
        return new Event(emitted != null ? emitted.id() : null, type, at, source, null, null, attrs);
    }
}
