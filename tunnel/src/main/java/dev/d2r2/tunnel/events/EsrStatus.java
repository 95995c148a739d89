package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code tunnel.esr.status}: an edge service router's routes and report counters since it started: the DNs'
 * reports on its UDP port, and their {@code tunnel.dn.map} events from the broker ({@link MapCounts}).
 */
public record EsrStatus(long time, String esr, long routes, long reports, long malformed, long unauthenticated, long unknownDn,
                        long stale, long routeErrors, MapCounts map) {
    public static final String ROUTES = "routes";
    public static final String REPORTS = "reports";
    public static final String MALFORMED = "malformed";
    public static final String UNAUTHENTICATED = "unauthenticated";
    public static final String UNKNOWN_DN = "unknownDn";
    public static final String STALE = "stale";
    public static final String ROUTE_ERRORS = "routeErrors";
    public static final String MAP_REPORTS = "mapReports";
    public static final String MAP_MALFORMED = "mapMalformed";
    public static final String MAP_UNAUTHENTICATED = "mapUnauthenticated";
    public static final String MAP_UNKNOWN_DN = "mapUnknownDn";
    public static final String MAP_STALE = "mapStale";

    /** The {@code tunnel.dn.map} events taken from the broker, and those refused, by reason. */
    public record MapCounts(long reports, long malformed, long unauthenticated, long unknownDn, long stale) {
    }

    public Event toEvent() {
        return Event.message(TunnelEvents.ESR_STATUS.name(), time, esr, Map.ofEntries(Map.entry(ROUTES, routes), Map.entry(REPORTS, reports),
                Map.entry(MALFORMED, malformed), Map.entry(UNAUTHENTICATED, unauthenticated), Map.entry(UNKNOWN_DN, unknownDn),
                Map.entry(STALE, stale), Map.entry(ROUTE_ERRORS, routeErrors), Map.entry(MAP_REPORTS, map.reports()),
                Map.entry(MAP_MALFORMED, map.malformed()), Map.entry(MAP_UNAUTHENTICATED, map.unauthenticated()),
                Map.entry(MAP_UNKNOWN_DN, map.unknownDn()), Map.entry(MAP_STALE, map.stale())));
    }

    public static EsrStatus from(Event e) throws EventFormatException {
        EventAttrs.expect(e, TunnelEvents.ESR_STATUS);
        return new EsrStatus(e.time(), e.source(), EventAttrs.integer(e, ROUTES), EventAttrs.integer(e, REPORTS),
                EventAttrs.integer(e, MALFORMED), EventAttrs.integer(e, UNAUTHENTICATED), EventAttrs.integer(e, UNKNOWN_DN),
                EventAttrs.integer(e, STALE), EventAttrs.integer(e, ROUTE_ERRORS),
                new MapCounts(EventAttrs.integer(e, MAP_REPORTS), EventAttrs.integer(e, MAP_MALFORMED),
                        EventAttrs.integer(e, MAP_UNAUTHENTICATED), EventAttrs.integer(e, MAP_UNKNOWN_DN), EventAttrs.integer(e, MAP_STALE)));
    }
}
