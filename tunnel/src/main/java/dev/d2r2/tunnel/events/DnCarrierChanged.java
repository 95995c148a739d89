package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code tunnel.dn.carrier}: a DN starts or stops carrying an EN's traffic (its entry in the
 * EN-to-DN map): {@code standby} → {@code carrying} when the EN's data arrives, back when the EN
 * releases it, says hello again, or its BFD session goes down.
 */
public record DnCarrierChanged(long time, String dn, String from, String to, String reason, String address, long tunnel) {
    public static final String STANDBY = "standby";
    public static final String CARRYING = "carrying";
    public static final String REASON = "reason";
    public static final String ADDRESS = "address";
    public static final String TUNNEL = "tunnel";

    public Event toEvent() {
        return Event.state(TunnelEvents.DN_CARRIER.name(), time, dn, from, to, Map.of(REASON, reason, ADDRESS, address, TUNNEL, tunnel));
    }

    public static DnCarrierChanged from(Event e) throws EventFormatException {
        EventAttrs.expect(e, TunnelEvents.DN_CARRIER);
        return new DnCarrierChanged(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, REASON),
                EventAttrs.string(e, ADDRESS), EventAttrs.integer(e, TUNNEL));
    }
}
