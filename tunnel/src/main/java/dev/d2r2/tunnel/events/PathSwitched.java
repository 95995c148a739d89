package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code tunnel.path.switched}: the path an endpoint sends through changed ({@code none} when it has none). */
public record PathSwitched(long time, String endpoint, String from, String to, String reason, String peer, String mode) {
    public static final String NONE = "none";
    public static final String REASON = "reason";
    public static final String PEER = "peer";
    public static final String MODE = "mode";

    public Event toEvent() {
        return Event.state(PathEvents.SWITCHED.name(), time, endpoint, from, to, Map.of(REASON, reason, PEER, peer, MODE, mode));
    }

    public static PathSwitched from(Event e) throws EventFormatException {
        EventAttrs.expect(e, PathEvents.SWITCHED);
        return new PathSwitched(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, REASON), EventAttrs.string(e, PEER),
                EventAttrs.string(e, MODE));
    }
}
