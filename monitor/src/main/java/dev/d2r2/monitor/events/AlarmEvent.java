package dev.d2r2.monitor.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A confirmed transition of one metric's alarm (or its periodic re-assertion, {@code from} =
 * {@code to}): a state event named by the metric, from the service, between the Nagios states
 * {@link #OK}, {@link #WARNING}, {@link #CRITICAL} and {@link #UNKNOWN} ({@code from} is null
 * for the first).
 *
 * @param value      the sample that confirmed it, for a threshold on a value; the state's {@link #code}, for a
 *                   Nagios plugin's own state; else null
 * @param output     what a Nagios plugin said, for the plugin's own state; else null
 * @param error      why the probe could not answer, for {@code unknown}; else null
 * @param reasserted whether this is the current state published again rather than a transition
 * @param peer       the monitoring peer that published it, or null
 */
public record AlarmEvent(String metric, long time, String service, String from, String to, Double value, String output,
                         String error, boolean reasserted, String peer) {
    public static final String OK = "ok";
    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";
    public static final String UNKNOWN = "unknown";
    public static final String OUTPUT = "output";
    public static final String REASSERTED = "reasserted";

    /** A state as Nagios plugins give it in their exit code, and as a plugin's state sample carries it: ok 0 … unknown 3. */
    public static int code(String state) {
        return switch (state) {
            case OK -> 0;
            case WARNING -> 1;
            case CRITICAL -> 2;
            case UNKNOWN -> 3;
            default -> throw new IllegalArgumentException("not a Nagios state: " + state);
        };
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>(4);
        if (value != null) {
            attrs.put(Sample.VALUE, value);
        }
        if (output != null) {
            attrs.put(OUTPUT, output);
        }
        if (error != null) {
            attrs.put(ProbeError.ERROR, error);
        }
        if (reasserted) {
            attrs.put(REASSERTED, true);
        }
        if (peer != null) {
            attrs.put(Sample.PEER, peer);
        }
        return Event.state(metric, time, service, from, to, attrs);
    }

    public static AlarmEvent from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MonitorEvents.ALARM);
        double value = EventAttrs.number(e, Sample.VALUE, Double.NaN);
        return new AlarmEvent(e.type(), e.time(), e.source(), e.from(), e.to(), Double.isNaN(value) ? null : value,
                EventAttrs.string(e, OUTPUT, null), EventAttrs.string(e, ProbeError.ERROR, null),
                EventAttrs.bool(e, REASSERTED, false), EventAttrs.string(e, Sample.PEER, null));
    }

    /** Whether {@code e} is a state published again (an alarm's re-assertion), not a transition. */
    public static boolean isReassertion(Event e) {
        return Boolean.TRUE.equals(e.attrs().get(REASSERTED));
    }
}
