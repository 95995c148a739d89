package dev.d2r2.chronicle;

import dev.d2r2.chronicle.events.ChronicleAlert;
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
     * The recognition as an alert: the emitted event when there is one, else an event named after
     * the chronicle with its bindings; both carry the chronicle, {@code uncertain} and the ids of
     * the matched events.
     */
    public ChronicleAlert toAlert() {
        if (emitted != null) {
            return new ChronicleAlert(emitted.id(), emitted.type(), at, emitted.source(), chronicle, uncertain, events,
                    emitted.attrs());
        }
        return new ChronicleAlert(null, chronicle, at, null, chronicle, uncertain, events, new java.util.LinkedHashMap<>(bindings));
    }
}
