package dev.d2r2.sip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code sip.edge.source}: one of the heaviest sources of a telemetry window, rates per second. */
public record EdgeSource(long time, String address, double rate, double inviteRate, double error) {

    public Event toEvent() {
        return Event.message(SipEvents.EDGE_SOURCE.name(), time, address,
                Map.of(SipKeys.RATE, rate, SipKeys.INVITE_RATE, inviteRate, SipKeys.ERROR, error));
    }

    public static EdgeSource from(Event e) throws EventFormatException {
        EventAttrs.expect(e, SipEvents.EDGE_SOURCE);
        return new EdgeSource(e.time(), e.source(), EventAttrs.number(e, SipKeys.RATE), EventAttrs.number(e, SipKeys.INVITE_RATE),
                EventAttrs.number(e, SipKeys.ERROR, 0));
    }
}
