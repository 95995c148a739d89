package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code tunnel.esr.status}: an edge service router's routes and report counters since it started. */
public record EsrStatus(long time, String esr, long routes, long reports, long malformed, long unauthenticated, long unknownDn,
                        long stale, long routeErrors) {
    public static final String ROUTES = "routes";
    public static final String REPORTS = "reports";
    public static final String MALFORMED = "malformed";
    public static final String UNAUTHENTICATED = "unauthenticated";
    public static final String UNKNOWN_DN = "unknownDn";
    public static final String STALE = "stale";
    public static final String ROUTE_ERRORS = "routeErrors";

    public Event toEvent() {
        return Event.message(TunnelEvents.ESR_STATUS.name(), time, esr, Map.of(ROUTES, routes, REPORTS, reports, MALFORMED, malformed,
                UNAUTHENTICATED, unauthenticated, UNKNOWN_DN, unknownDn, STALE, stale, ROUTE_ERRORS, routeErrors));
    }

    public static EsrStatus from(Event e) throws EventFormatException {
        EventAttrs.expect(e, TunnelEvents.ESR_STATUS);
        return new EsrStatus(e.time(), e.source(), EventAttrs.integer(e, ROUTES), EventAttrs.integer(e, REPORTS),
                EventAttrs.integer(e, MALFORMED), EventAttrs.integer(e, UNAUTHENTICATED), EventAttrs.integer(e, UNKNOWN_DN),
                EventAttrs.integer(e, STALE), EventAttrs.integer(e, ROUTE_ERRORS));
    }
}
