package dev.d2r2.scale.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.HashMap;
import java.util.Map;

/** {@code scale.instance}: an instance moved from one state of its life to another. */
public record InstanceChange(long time, String instance, String from, String to, String type, String cloud, String address,
                             String why) {

    public Event toEvent() {
        Map<String, Object> attrs = new HashMap<>(Map.of(ScaleKeys.TYPE, type, ScaleKeys.CLOUD, cloud, ScaleKeys.ADDRESS, address));
        if (why != null) {
            attrs.put(ScaleKeys.WHY, why);
        }
        return Event.state(ScaleEvents.INSTANCE.name(), time, instance, from, to, attrs);
    }

    public static InstanceChange from(Event e) throws EventFormatException {
        EventAttrs.expect(e, ScaleEvents.INSTANCE);
        return new InstanceChange(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, ScaleKeys.TYPE),
                EventAttrs.string(e, ScaleKeys.CLOUD), EventAttrs.string(e, ScaleKeys.ADDRESS), EventAttrs.string(e, ScaleKeys.WHY, null));
    }
}
