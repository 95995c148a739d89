package dev.d2r2.broker.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code broker.log.damaged}: recovery cut bytes from a channel's log; {@code quarantine} null for a torn tail. */
public record LogDamaged(long time, String channel, String segment, String kind, long position, long bytes,
                         long fromOffset, long toOffset, String quarantine) {
    public static final String TORN_TAIL = "torn-tail";
    public static final String DAMAGED = "damaged";

    public long lost() {
        return Math.max(0, toOffset - fromOffset + 1);
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(BrokerKeys.CHANNEL, channel);
        attrs.put(BrokerKeys.SEGMENT, segment);
        attrs.put(BrokerKeys.KIND, kind);
        attrs.put(BrokerKeys.POSITION, position);
        attrs.put(BrokerKeys.BYTES, bytes);
        attrs.put(BrokerKeys.FROM_OFFSET, fromOffset);
        attrs.put(BrokerKeys.TO_OFFSET, toOffset);
        attrs.put(BrokerKeys.LOST, lost());
        if (quarantine != null) {
            attrs.put(BrokerKeys.QUARANTINE, quarantine);
        }
        return Event.message(BrokerEvents.LOG_DAMAGED.name(), time, BrokerEvents.LOG_DAMAGED.source(), attrs);
    }

    public static LogDamaged from(Event e) throws EventFormatException {
        EventAttrs.expect(e, BrokerEvents.LOG_DAMAGED);
        return new LogDamaged(e.time(), EventAttrs.string(e, BrokerKeys.CHANNEL), EventAttrs.string(e, BrokerKeys.SEGMENT),
                EventAttrs.string(e, BrokerKeys.KIND), EventAttrs.integer(e, BrokerKeys.POSITION),
                EventAttrs.integer(e, BrokerKeys.BYTES), EventAttrs.integer(e, BrokerKeys.FROM_OFFSET),
                EventAttrs.integer(e, BrokerKeys.TO_OFFSET), EventAttrs.string(e, BrokerKeys.QUARANTINE, null));
    }
}
