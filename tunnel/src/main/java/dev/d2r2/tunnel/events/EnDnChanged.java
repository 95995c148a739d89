package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code tunnel.en.dn}: the DN an EN sends its traffic through changed ({@code none} when it has
 * none). {@code reason} is {@code connected}, {@code failover}, {@code failback}, {@code distrusted} (the DN it left
 * lost its trust), {@code data} (the DN it left was Up on BFD but returned no data) or {@code lost}.
 */
public record EnDnChanged(long time, String en, String from, String to, String reason, String address, long tunnel) {
    public static final String NONE = "none";
    public static final String FAILOVER = "failover";
    public static final String FAILBACK = "failback";
    public static final String DATA = "data";
    public static final String REASON = "reason";
    public static final String ADDRESS = "address";
    public static final String TUNNEL = "tunnel";

    public Event toEvent() {
        return Event.state(TunnelEvents.EN_DN.name(), time, en, from, to, Map.of(REASON, reason, ADDRESS, address, TUNNEL, tunnel));
    }

    public static EnDnChanged from(Event e) throws EventFormatException {
        EventAttrs.expect(e, TunnelEvents.EN_DN);
        return new EnDnChanged(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, REASON), EventAttrs.string(e, ADDRESS),
                EventAttrs.integer(e, TUNNEL));
    }
}
