package dev.d2r2.sip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code sip.edge.backend}: a backend's change of state; {@code from} null when it is not a health or drain transition. */
public record EdgeBackend(long time, String backend, String from, String to, String why, long dialogs) {

    /** The state a change leaves, for the transitions that have one. */
    public static String previous(String to) {
        return switch (to) {
            case "down" -> "up";
            case "up" -> "down";
            case "drained" -> "draining";
            default -> null;
        };
    }

    public Event toEvent() {
        return Event.state(SipEvents.EDGE_BACKEND.name(), time, backend, from, to,
                Map.of(SipKeys.WHY, why, SipKeys.DIALOGS, dialogs));
    }

    public static EdgeBackend from(Event e) throws EventFormatException {
        EventAttrs.expect(e, SipEvents.EDGE_BACKEND);
        return new EdgeBackend(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, SipKeys.WHY, ""),
                EventAttrs.integer(e, SipKeys.DIALOGS, 0));
    }
}
