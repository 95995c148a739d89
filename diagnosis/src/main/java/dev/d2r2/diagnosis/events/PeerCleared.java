package dev.d2r2.diagnosis.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** An indicted peer behaves like its group again: trusted once more. */
public record PeerCleared(long time, String peer, String group) {
    public static final String TYPE = "diagnosis.cleared";

    public Event toEvent() {
        return Event.message(TYPE, time, peer, Map.of(PeerIndicted.GROUP, group));
    }

    public static PeerCleared from(Event e) throws EventFormatException {
        EventAttrs.expect(e, DiagnosisEvents.CLEARED);
        return new PeerCleared(e.time(), e.source(), EventAttrs.string(e, PeerIndicted.GROUP));
    }
}
