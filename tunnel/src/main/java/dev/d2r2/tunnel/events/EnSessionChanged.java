package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code tunnel.en.session}: the BFD state of an EN's session with one of its DNs changed
 * ({@code down}, {@code init}, {@code up}); a session that goes down is greeted again.
 */
public record EnSessionChanged(long time, String en, String from, String to, String dn, boolean primary, long tunnel) {
    public static final String DN = "dn";
    public static final String PRIMARY = "primary";
    public static final String TUNNEL = "tunnel";

    public Event toEvent() {
        return Event.state(TunnelEvents.EN_SESSION.name(), time, en, from, to, Map.of(DN, dn, PRIMARY, primary, TUNNEL, tunnel));
    }

    public static EnSessionChanged from(Event e) throws EventFormatException {
        EventAttrs.expect(e, TunnelEvents.EN_SESSION);
        return new EnSessionChanged(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, DN),
                EventAttrs.bool(e, PRIMARY, false), EventAttrs.integer(e, TUNNEL));
    }
}
