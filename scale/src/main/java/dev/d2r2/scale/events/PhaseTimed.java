package dev.d2r2.scale.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code scale.phase}: one timed phase of bringing an instance into service. */
public record PhaseTimed(long time, String instance, String cloud, String phase, long ms, String step, boolean ok) {

    public Event toEvent() {
        return Event.message(ScaleEvents.PHASE.name(), time, instance,
                Map.of(ScaleKeys.CLOUD, cloud, ScaleKeys.PHASE, phase, ScaleKeys.MS, ms, ScaleKeys.STEP, step, ScaleKeys.OUTCOME,
                        ok ? "ok" : "failed"));
    }

    public static PhaseTimed from(Event e) throws EventFormatException {
        EventAttrs.expect(e, ScaleEvents.PHASE);
        return new PhaseTimed(e.time(), e.source(), EventAttrs.string(e, ScaleKeys.CLOUD), EventAttrs.string(e, ScaleKeys.PHASE), EventAttrs.integer(e, ScaleKeys.MS),
                EventAttrs.string(e, ScaleKeys.STEP), "ok".equals(EventAttrs.string(e, ScaleKeys.OUTCOME)));
    }
}
