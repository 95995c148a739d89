package dev.d2r2.monitor.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One value a probe measured: a message event named by its metric, {@code <probe>.<value>}
 * ({@code tcp.connect_ms}), from the service probed.
 *
 * @param peer the monitoring peer that published it, or null
 */
public record Sample(String metric, long time, String service, double value, String peer) {
    public static final String VALUE = "value";
    public static final String PEER = "peer";

    /** The metric a probe's value is published as. */
    public static String metric(String probe, String value) {
        return probe + "." + value;
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>(4);
        attrs.put(VALUE, value);
        if (peer != null) {
            attrs.put(PEER, peer);
        }
        return Event.message(metric, time, service, attrs);
    }

    public static Sample from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MonitorEvents.SAMPLE);
        return new Sample(e.type(), e.time(), e.source(), EventAttrs.number(e, VALUE), EventAttrs.string(e, PEER, null));
    }
}
