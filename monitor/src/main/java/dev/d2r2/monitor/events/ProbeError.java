package dev.d2r2.monitor.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A probe that could not answer: a message event {@code <probe>.error} with the reason, from the
 * service probed. Its alarms go {@code unknown} at the same time.
 *
 * @param peer the monitoring peer that published it, or null
 */
public record ProbeError(String probe, long time, String service, String error, String peer) {
    public static final String SUFFIX = ".error";
    public static final String ERROR = "error";

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>(4);
        attrs.put(ERROR, error);
        if (peer != null) {
            attrs.put(Sample.PEER, peer);
        }
        return Event.message(probe + SUFFIX, time, service, attrs);
    }

    public static ProbeError from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MonitorEvents.PROBE_ERROR);
        String type = e.type();
        return new ProbeError(type.substring(0, type.length() - SUFFIX.length()), e.time(), e.source(),
                EventAttrs.string(e, ERROR), EventAttrs.string(e, Sample.PEER, null));
    }
}
