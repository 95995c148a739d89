package dev.d2r2.broker.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code broker.forwarded.gap}: events of one publisher on a forwarded channel that catch-up could not find. */
public record ForwardedGap(long time, String channel, String publisher, long fromSequence, long toSequence) {

    public long lost() {
        return Math.max(0, toSequence - fromSequence + 1);
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(BrokerKeys.CHANNEL, channel);
        attrs.put(BrokerKeys.PUBLISHER, publisher);
        attrs.put(BrokerKeys.FROM_SEQUENCE, fromSequence);
        attrs.put(BrokerKeys.TO_SEQUENCE, toSequence);
        attrs.put(BrokerKeys.LOST, lost());
        return Event.message(BrokerEvents.FORWARDED_GAP.name(), time, BrokerEvents.FORWARDED_GAP.source(), attrs);
    }

    public static ForwardedGap from(Event e) throws EventFormatException {
        EventAttrs.expect(e, BrokerEvents.FORWARDED_GAP);
        return new ForwardedGap(e.time(), EventAttrs.string(e, BrokerKeys.CHANNEL), EventAttrs.string(e, BrokerKeys.PUBLISHER),
                EventAttrs.integer(e, BrokerKeys.FROM_SEQUENCE), EventAttrs.integer(e, BrokerKeys.TO_SEQUENCE));
    }
}
