package dev.d2r2.sip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code sip.source_rate}: a source turned suspect ({@link #HIGH}) or back to {@link #NORMAL}. */
public record SourceRate(long time, String edge, String to, String src, double inviteRate) {
    public static final String HIGH = "high";
    public static final String NORMAL = "normal";

    public SourceRate {
        if (!to.equals(HIGH) && !to.equals(NORMAL)) {
            throw new IllegalArgumentException("a source rate is high or normal, not " + to);
        }
    }

    public String from() {
        return to.equals(HIGH) ? NORMAL : HIGH;
    }

    public Event toEvent() {
        return Event.state(SipEvents.SOURCE_RATE.name(), time, edge, from(), to,
                Map.of(SipKeys.SRC, src, SipKeys.INVITE_RATE, inviteRate));
    }

    public static SourceRate from(Event e) throws EventFormatException {
        EventAttrs.expect(e, SipEvents.SOURCE_RATE);
        if (!e.to().equals(HIGH) && !e.to().equals(NORMAL)) {
            throw new EventFormatException(e.type() + " event from " + e.source() + ": 'to' must be high or normal, not " + e.to());
        }
        return new SourceRate(e.time(), e.source(), e.to(), EventAttrs.string(e, SipKeys.SRC),
                EventAttrs.number(e, SipKeys.INVITE_RATE, 0));
    }
}
