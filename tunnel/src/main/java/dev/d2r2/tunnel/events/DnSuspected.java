package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code tunnel.dn.suspected}: a DN failure detector's verdict on one DN changed. From and to are
 * {@code unknown}, {@code alive} or {@code suspected}; the reason is {@code control} (its BFD
 * session went down), {@code data} (its BFD session is Up but it no longer carries the
 * detector's probes through its data path) or {@code answering} (it is alive again, or for the
 * first time).
 */
public record DnSuspected(long time, String watcher, String from, String to, String dn, String reason) {
    public static final String UNKNOWN = "unknown";
    public static final String ALIVE = "alive";
    public static final String SUSPECTED = "suspected";
    public static final String CONTROL = "control";
    public static final String DATA = "data";
    public static final String ANSWERING = "answering";
    public static final String DN = "dn";
    public static final String REASON = "reason";

    public Event toEvent() {
        return Event.state(TunnelEvents.DN_SUSPECTED.name(), time, watcher, from, to, Map.of(DN, dn, REASON, reason));
    }

    public static DnSuspected from(Event e) throws EventFormatException {
        EventAttrs.expect(e, TunnelEvents.DN_SUSPECTED);
        return new DnSuspected(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, DN), EventAttrs.string(e, REASON));
    }
}
