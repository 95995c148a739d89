package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code migration.server.arrived}: a live migration brought a SIP server to this host at another
 * address than at its source; its {@code server-mobility} subscribers were told.
 */
public record ServerArrived(long time, String host, String from, String listen, long notified) {
    public static final String FROM = "from";
    public static final String LISTEN = "listen";
    public static final String NOTIFIED = "notified";

    public Event toEvent() {
        return Event.message(MigrateEvents.SERVER_ARRIVED.name(), time, host, Map.of(FROM, from, LISTEN, listen, NOTIFIED, notified));
    }

    public static ServerArrived from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MigrateEvents.SERVER_ARRIVED);
        return new ServerArrived(e.time(), e.source(), EventAttrs.string(e, FROM), EventAttrs.string(e, LISTEN),
                EventAttrs.integer(e, NOTIFIED));
    }
}
