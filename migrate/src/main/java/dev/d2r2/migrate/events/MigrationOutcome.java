package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;
import dev.d2r2.migrate.live.MigrationReport;

import java.util.Map;

/** {@code migration.outcome}: how a live migration of a SIP server went, told by its source host. */
public record MigrationOutcome(long time, String host, String target, MigrationReport report) {
    public static final String TARGET = "target";
    public static final String OUTCOME = "outcome";
    public static final String ROUNDS = "rounds";
    public static final String ENTRIES = "entries";
    public static final String PRECOPY_MS = "precopy_ms";
    public static final String STOPCOPY_MS = "stopcopy_ms";
    public static final String REDIRECT_MS = "redirect_ms";
    public static final String DOWNTIME_MS = "downtime_ms";
    public static final String REASON = "reason";

    public Event toEvent() {
        return Event.message(MigrateEvents.MIGRATION_OUTCOME.name(), time, host, Map.of(TARGET, target, OUTCOME, report.outcome(),
                ROUNDS, (long) report.rounds(), ENTRIES, report.entries(), PRECOPY_MS, report.precopyMs(), STOPCOPY_MS,
                report.stopCopyMs(), REDIRECT_MS, report.redirectMs(), DOWNTIME_MS, report.downtimeMs(), REASON, report.reason()));
    }

    public static MigrationOutcome from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MigrateEvents.MIGRATION_OUTCOME);
        return new MigrationOutcome(e.time(), e.source(), EventAttrs.string(e, TARGET), new MigrationReport(
                EventAttrs.string(e, OUTCOME), (int) EventAttrs.integer(e, ROUNDS), EventAttrs.integer(e, ENTRIES),
                EventAttrs.integer(e, PRECOPY_MS), EventAttrs.integer(e, STOPCOPY_MS), EventAttrs.integer(e, REDIRECT_MS),
                EventAttrs.integer(e, DOWNTIME_MS), EventAttrs.string(e, REASON)));
    }
}
