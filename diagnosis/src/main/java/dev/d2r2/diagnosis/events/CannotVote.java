package dev.d2r2.diagnosis.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** A group could not vote in a window (too few peers with a complete vector): said, never silent. */
public record CannotVote(long time, String group, String reason) {
    public static final String TYPE = "diagnosis.cannot-vote";
    static final String REASON = "reason";

    public Event toEvent() {
        return Event.message(TYPE, time, group, Map.of(REASON, reason));
    }

    public static CannotVote from(Event e) throws EventFormatException {
        EventAttrs.expect(e, DiagnosisEvents.CANNOT_VOTE);
        return new CannotVote(e.time(), e.source(), EventAttrs.string(e, REASON));
    }
}
