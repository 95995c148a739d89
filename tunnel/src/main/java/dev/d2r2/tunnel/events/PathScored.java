package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code tunnel.path.scored}: one path's measurements, trust, cost and traffic. */
public record PathScored(long time, String endpoint, String path, boolean up, long rttMicros, long jitterMicros, double loss,
                         double trust, double cost, long weight, long sent, long received) {
    public static final String PATH = "path";
    public static final String UP = "up";
    public static final String RTT_MICROS = "rttMicros";
    public static final String JITTER_MICROS = "jitterMicros";
    public static final String LOSS = "loss";
    public static final String TRUST = "trust";
    public static final String COST = "cost";
    public static final String WEIGHT = "weight";
    public static final String SENT = "sent";
    public static final String RECEIVED = "received";

    public Event toEvent() {
        return Event.message(PathEvents.SCORED.name(), time, endpoint, Map.of(PATH, path, UP, up, RTT_MICROS, rttMicros,
                JITTER_MICROS, jitterMicros, LOSS, loss, TRUST, trust, COST, cost, WEIGHT, weight, SENT, sent, RECEIVED, received));
    }

    public static PathScored from(Event e) throws EventFormatException {
        EventAttrs.expect(e, PathEvents.SCORED);
        return new PathScored(e.time(), e.source(), EventAttrs.string(e, PATH), EventAttrs.bool(e, UP, false),
                EventAttrs.integer(e, RTT_MICROS), EventAttrs.integer(e, JITTER_MICROS), EventAttrs.number(e, LOSS),
                EventAttrs.number(e, TRUST), EventAttrs.number(e, COST), EventAttrs.integer(e, WEIGHT), EventAttrs.integer(e, SENT),
                EventAttrs.integer(e, RECEIVED));
    }
}
