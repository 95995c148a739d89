package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code migration.replica.took-over}: a replica kept in step lost its source and serves the
 * source's state as last heard: {@code stateAgeMs} old when it took over, the last round
 * {@code lagMs} behind its source after {@code deltas} rounds.
 */
public record ReplicaTookOver(long time, String host, String of, String from, String listen, String reason, long stateAgeMs,
                              long lagMs, long deltas, long notified) {
    public static final String OF = "of";
    public static final String FROM = "from";
    public static final String LISTEN = "listen";
    public static final String REASON = "reason";
    public static final String STATE_AGE_MS = "state_age_ms";
    public static final String LAG_MS = "lag_ms";
    public static final String DELTAS = "deltas";
    public static final String NOTIFIED = "notified";

    public Event toEvent() {
        return Event.message(MigrateEvents.REPLICA_TOOK_OVER.name(), time, host, Map.of(OF, of, FROM, from, LISTEN, listen,
                REASON, reason, STATE_AGE_MS, stateAgeMs, LAG_MS, lagMs, DELTAS, deltas, NOTIFIED, notified));
    }

    public static ReplicaTookOver from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MigrateEvents.REPLICA_TOOK_OVER);
        return new ReplicaTookOver(e.time(), e.source(), EventAttrs.string(e, OF), EventAttrs.string(e, FROM),
                EventAttrs.string(e, LISTEN), EventAttrs.string(e, REASON), EventAttrs.integer(e, STATE_AGE_MS),
                EventAttrs.integer(e, LAG_MS), EventAttrs.integer(e, DELTAS), EventAttrs.integer(e, NOTIFIED));
    }
}
