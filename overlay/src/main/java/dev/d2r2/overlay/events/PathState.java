package dev.d2r2.overlay.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Locale;
import java.util.Map;

/** {@code overlay.path}: how a route agent reaches a destination now — directly, not at all, or through a relay. */
public record PathState(long time, String agent, String destination, State from, State to, String relay, String foundBy,
                        long sinceBreakMillis) {
    public static final String DESTINATION = "destination";
    public static final String RELAY = "relay";
    public static final String FOUND_BY = "foundBy";
    public static final String SINCE_BREAK = "sinceBreakMillis";

    public enum State {
        DIRECT, DOWN, RELAYED, RECOVERED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State of(String label) throws EventFormatException {
            for (State s : values()) {
                if (s.label().equals(label)) {
                    return s;
                }
            }
            throw new EventFormatException("overlay.path: a state is direct, down, relayed or recovered, not " + label);
        }
    }

    public Event toEvent() {
        return Event.state(OverlayEvents.PATH.name(), time, agent, from.label(), to.label(),
                Map.of(DESTINATION, destination, RELAY, relay, FOUND_BY, foundBy, SINCE_BREAK, sinceBreakMillis));
    }

    public static PathState from(Event e) throws EventFormatException {
        EventAttrs.expect(e, OverlayEvents.PATH);
        return new PathState(e.time(), e.source(), EventAttrs.string(e, DESTINATION), State.of(e.from()), State.of(e.to()),
                EventAttrs.string(e, RELAY), EventAttrs.string(e, FOUND_BY), EventAttrs.integer(e, SINCE_BREAK));
    }
}
