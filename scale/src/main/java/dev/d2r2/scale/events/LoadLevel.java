package dev.d2r2.scale.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.HashMap;
import java.util.Map;

/** {@code scale.load}: a type's load changed level (ok, overload, underload). */
public record LoadLevel(long time, String type, String from, String to, long instances, long desired, double load, String why) {

    public Event toEvent() {
        Map<String, Object> attrs = new HashMap<>(Map.of(ScaleKeys.INSTANCES, instances, ScaleKeys.DESIRED, desired, ScaleKeys.LOAD, load));
        if (why != null) {
            attrs.put(ScaleKeys.WHY, why);
        }
        return Event.state(ScaleEvents.LOAD.name(), time, type, from, to, attrs);
    }

    public static LoadLevel from(Event e) throws EventFormatException {
        EventAttrs.expect(e, ScaleEvents.LOAD);
        return new LoadLevel(e.time(), e.source(), e.from(), e.to(), EventAttrs.integer(e, ScaleKeys.INSTANCES),
                EventAttrs.integer(e, ScaleKeys.DESIRED), EventAttrs.number(e, ScaleKeys.LOAD), EventAttrs.string(e, ScaleKeys.WHY, null));
    }
}
