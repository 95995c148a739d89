package dev.d2r2.monitor.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One of a service's resilience metrics over the assessor's window ({@code availability},
 * {@code rrr}, {@code sfr_per_hour}, {@code mtbf_s}, {@code mttr_s}, or a derived metric of its
 * model): a message event {@code resilience.<measure>} from the service.
 *
 * @param peer the monitoring peer that published it, or null
 */
public record ResilienceMeasure(String measure, long time, String service, double value, String peer) {
    public static final String PREFIX = "resilience.";

    /** The event type of {@code measure}. */
    public static String type(String measure) {
        return PREFIX + measure;
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>(4);
        attrs.put(Sample.VALUE, value);
        if (peer != null) {
            attrs.put(Sample.PEER, peer);
        }
        return Event.message(type(measure), time, service, attrs);
    }

    public static ResilienceMeasure from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MonitorEvents.RESILIENCE);
        return new ResilienceMeasure(e.type().substring(PREFIX.length()), e.time(), e.source(), EventAttrs.number(e, Sample.VALUE),
                EventAttrs.string(e, Sample.PEER, null));
    }
}
