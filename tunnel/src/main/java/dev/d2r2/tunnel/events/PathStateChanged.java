package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code tunnel.path.state}: one path went {@code up} or {@code down}. */
public record PathStateChanged(long time, String endpoint, String from, String to, String path, String peer) {
    public static final String UP = "up";
    public static final String DOWN = "down";
    public static final String PATH = "path";
    public static final String PEER = "peer";

    public Event toEvent() {
        return Event.state(PathEvents.STATE.name(), time, endpoint, from, to, Map.of(PATH, path, PEER, peer));
    }

    public static PathStateChanged from(Event e) throws EventFormatException {
        EventAttrs.expect(e, PathEvents.STATE);
        return new PathStateChanged(e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, PATH), EventAttrs.string(e, PEER));
    }
}
