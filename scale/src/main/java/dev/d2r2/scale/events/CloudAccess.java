package dev.d2r2.scale.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code scale.cloud}: whether a cloud takes new instances of a type ({@link #EVERY_TYPE} for
 * all), as the policy's clone bans leave it: {@code open} or {@code forbidden}, with the policy
 * action that changed it.
 */
public record CloudAccess(long time, String cloud, String from, String to, String type, String action, long expires) {
    public static final String OPEN = "open";
    public static final String FORBIDDEN = "forbidden";
    public static final String EVERY_TYPE = "*";

    public Event toEvent() {
        return Event.state(ScaleEvents.CLOUD.name(), time, cloud, from, to,
                Map.of(ScaleKeys.TYPE, type, ScaleKeys.ACTION, action, ScaleKeys.EXPIRES, expires));
    }

    public static CloudAccess from(Event e) throws EventFormatException {
        EventAttrs.expect(e, ScaleEvents.CLOUD);
        return new CloudAccess(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, ScaleKeys.TYPE),
                EventAttrs.string(e, ScaleKeys.ACTION), EventAttrs.integer(e, ScaleKeys.EXPIRES));
    }
}
