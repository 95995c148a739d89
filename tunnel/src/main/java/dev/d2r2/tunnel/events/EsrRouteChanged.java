package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code tunnel.esr.route}: the edge service router moved the return route of one EN address: from
 * and to are DN names, or {@code none} (no route). {@code reason} is {@code report} (a DN's report
 * changed the EN-to-DN map), {@code expired} (the DN carrying it fell silent), {@code retry} (a
 * change the kernel refused before went through) or {@code unclaimed} (no DN has carried it for a
 * quarter of {@code expire-after}: the route is removed).
 */
public record EsrRouteChanged(long time, String esr, String from, String to, String reason, String address, String via) {
    public static final String NONE = "none";
    public static final String REASON = "reason";
    public static final String ADDRESS = "address";
    public static final String VIA = "via";

    public Event toEvent() {
        return Event.state(TunnelEvents.ESR_ROUTE.name(), time, esr, from, to, Map.of(REASON, reason, ADDRESS, address, VIA, via));
    }

    public static EsrRouteChanged from(Event e) throws EventFormatException {
        EventAttrs.expect(e, TunnelEvents.ESR_ROUTE);
        return new EsrRouteChanged(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, REASON), EventAttrs.string(e, ADDRESS),
                EventAttrs.string(e, VIA));
    }
}
