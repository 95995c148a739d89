package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code migration.snapshot.restored}: a host started serving from the newest valid snapshot of a host. */
public record SnapshotRestored(long time, String host, String of, long takenAt, long registrations, long refused) {
    public static final String OF = "of";
    public static final String TAKEN_AT = "taken_at";
    public static final String REGISTRATIONS = "registrations";
    public static final String REFUSED = "refused";

    public Event toEvent() {
        return Event.message(MigrateEvents.SNAPSHOT_RESTORED.name(), time, host, Map.of(OF, of, TAKEN_AT, takenAt,
                REGISTRATIONS, registrations, REFUSED, refused));
    }

    public static SnapshotRestored from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MigrateEvents.SNAPSHOT_RESTORED);
        return new SnapshotRestored(e.time(), e.source(), EventAttrs.string(e, OF), EventAttrs.integer(e, TAKEN_AT),
                EventAttrs.integer(e, REGISTRATIONS), EventAttrs.integer(e, REFUSED));
    }
}
