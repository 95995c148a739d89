package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code migration.snapshot.taken}: a host's SIP server state was snapshotted and its keeper stored it. */
public record SnapshotTaken(long time, String host, String keeper, long registrations, long calls, long bytes) {
    public static final String KEEPER = "keeper";
    public static final String REGISTRATIONS = "registrations";
    public static final String CALLS = "calls";
    public static final String BYTES = "bytes";

    public Event toEvent() {
        return Event.message(MigrateEvents.SNAPSHOT_TAKEN.name(), time, host, Map.of(KEEPER, keeper, REGISTRATIONS, registrations,
                CALLS, calls, BYTES, bytes));
    }

    public static SnapshotTaken from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MigrateEvents.SNAPSHOT_TAKEN);
        return new SnapshotTaken(e.time(), e.source(), EventAttrs.string(e, KEEPER), EventAttrs.integer(e, REGISTRATIONS),
                EventAttrs.integer(e, CALLS), EventAttrs.integer(e, BYTES));
    }
}
