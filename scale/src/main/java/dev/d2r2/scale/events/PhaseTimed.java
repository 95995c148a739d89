package dev.d2r2.scale.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.HashMap;
import java.util.Map;

/** {@code scale.phase}: one timed phase of bringing an instance into service; {@code failure} why it failed, null when it went well. */
public record PhaseTimed(long time, String instance, String cloud, String phase, long ms, String step, String failure) {
    public PhaseTimed {
        if (failure != null && failure.isBlank()) {
            throw new IllegalArgumentException("a failed phase says why");
        }
    }

    public boolean ok() {
        return failure == null;
    }

    public Event toEvent() {
        Map<String, Object> attrs = new HashMap<>(Map.of(ScaleKeys.CLOUD, cloud, ScaleKeys.PHASE, phase, ScaleKeys.MS, ms,
                ScaleKeys.STEP, step, ScaleKeys.OUTCOME, ok() ? "ok" : "failed"));
        if (failure != null) {
            attrs.put(ScaleKeys.WHY, failure);
        }
        return Event.message(ScaleEvents.PHASE.name(), time, instance, attrs);
    }

    public static PhaseTimed from(Event e) throws EventFormatException {
        EventAttrs.expect(e, ScaleEvents.PHASE);
        String cloud = EventAttrs.string(e, ScaleKeys.CLOUD);
        String phase = EventAttrs.string(e, ScaleKeys.PHASE);
        long ms = EventAttrs.integer(e, ScaleKeys.MS);
        String step = EventAttrs.string(e, ScaleKeys.STEP);
        boolean ok = "ok".equals(EventAttrs.string(e, ScaleKeys.OUTCOME));
        String why = EventAttrs.string(e, ScaleKeys.WHY, null);
        return new PhaseTimed(e.time(), e.source(), cloud, phase, ms, step, ok ? null : why == null || why.isBlank() ? "no reason given" : why);
    }
}
