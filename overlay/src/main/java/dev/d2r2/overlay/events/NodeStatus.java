package dev.d2r2.overlay.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code overlay.node.status}: a DHT node's state and counters. */
public record NodeStatus(long time, String node, String address, long contacts, long values, long received, long sent,
                         long timeouts, long dropped, long rejected) {
    public static final String ADDRESS = "address";
    public static final String CONTACTS = "contacts";
    public static final String VALUES = "values";
    public static final String RECEIVED = "received";
    public static final String SENT = "sent";
    public static final String TIMEOUTS = "timeouts";
    public static final String DROPPED = "dropped";
    public static final String REJECTED = "rejected";

    public Event toEvent() {
        return Event.message(OverlayEvents.NODE_STATUS.name(), time, node, Map.of(ADDRESS, address, CONTACTS, contacts,
                VALUES, values, RECEIVED, received, SENT, sent, TIMEOUTS, timeouts, DROPPED, dropped, REJECTED, rejected));
    }

    public static NodeStatus from(Event e) throws EventFormatException {
        EventAttrs.expect(e, OverlayEvents.NODE_STATUS);
        return new NodeStatus(e.time(), e.source(), EventAttrs.string(e, ADDRESS), EventAttrs.integer(e, CONTACTS),
                EventAttrs.integer(e, VALUES), EventAttrs.integer(e, RECEIVED), EventAttrs.integer(e, SENT),
                EventAttrs.integer(e, TIMEOUTS), EventAttrs.integer(e, DROPPED), EventAttrs.integer(e, REJECTED));
    }
}
