package dev.d2r2.scale.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.HashMap;
import java.util.Map;

/** {@code scale.step}: a step the scaler took or declined. */
public record ScaleStep(long time, String type, String direction, long before, long after, String step, String why) {

    public Event toEvent() {
        Map<String, Object> attrs = new HashMap<>(Map.of(ScaleKeys.DIRECTION, direction, ScaleKeys.BEFORE, before,
                ScaleKeys.AFTER, after, ScaleKeys.STEP, step));
        if (why != null) {
            attrs.put(ScaleKeys.WHY, why);
        }
        return Event.message(ScaleEvents.STEP.name(), time, type, attrs);
    }

    public static ScaleStep from(Event e) throws EventFormatException {
        EventAttrs.expect(e, ScaleEvents.STEP);
        return new ScaleStep(e.time(), e.source(), EventAttrs.string(e, ScaleKeys.DIRECTION), EventAttrs.integer(e, ScaleKeys.BEFORE),
                EventAttrs.integer(e, ScaleKeys.AFTER), EventAttrs.string(e, ScaleKeys.STEP), EventAttrs.string(e, ScaleKeys.WHY, null));
    }
}
