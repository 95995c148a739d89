package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code tunnel.status}: an EN's or DN's packet counters since it started. */
public record TunnelStatus(long time, String node, String role, long sent, long received, long malformed,
                           long unauthenticated, long unknownTunnel, long noRoute, long replayed) {
    public static final String ROLE = "role";
    public static final String SENT = "sent";
    public static final String RECEIVED = "received";
    public static final String MALFORMED = "malformed";
    public static final String UNAUTHENTICATED = "unauthenticated";
    public static final String UNKNOWN_TUNNEL = "unknownTunnel";
    public static final String NO_ROUTE = "noRoute";
    public static final String REPLAYED = "replayed";

    public Event toEvent() {
        return Event.message(TunnelEvents.STATUS.name(), time, node, Map.of(ROLE, role, SENT, sent, RECEIVED, received,
                MALFORMED, malformed, UNAUTHENTICATED, unauthenticated, UNKNOWN_TUNNEL, unknownTunnel, NO_ROUTE, noRoute, REPLAYED, replayed));
    }

    public static TunnelStatus from(Event e) throws EventFormatException {
        EventAttrs.expect(e, TunnelEvents.STATUS);
        return new TunnelStatus(e.time(), e.source(), EventAttrs.string(e, ROLE), EventAttrs.integer(e, SENT),
                EventAttrs.integer(e, RECEIVED), EventAttrs.integer(e, MALFORMED), EventAttrs.integer(e, UNAUTHENTICATED),
                EventAttrs.integer(e, UNKNOWN_TUNNEL), EventAttrs.integer(e, NO_ROUTE), EventAttrs.integer(e, REPLAYED));
    }
}
