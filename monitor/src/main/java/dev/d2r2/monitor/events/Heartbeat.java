package dev.d2r2.monitor.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** A monitoring peer saying it is alive, on its group's channel; its source is the peer's name. */
public record Heartbeat(long time, String peer) {
    public Event toEvent() {
        return Event.message(MonitorEvents.HEARTBEAT.name(), time, peer, Map.of());
    }

    public static Heartbeat from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MonitorEvents.HEARTBEAT);
        if (e.source() == null) {
            throw new EventFormatException(e.type() + " event has no source (the peer's name)");
        }
        return new Heartbeat(e.time(), e.source());
    }
}
