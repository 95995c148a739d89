package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code migration.host.at-risk}: a failure (or a threat of one) classified as the migration
 * strategy table needs it — class, location, predictability — naming the host at risk and a
 * spare host, with the evidence in words; the example policy picks the strategy
 * (docs/migration.md).
 */
public record HostAtRisk(long time, String host, String failureClass, String location, boolean predictable, String spare,
                         String evidence) {
    public static final String CLASS = "class";
    public static final String LOCATION = "location";
    public static final String PREDICTABLE = "predictable";
    public static final String SPARE = "spare";
    public static final String EVIDENCE = "evidence";

    public Event toEvent() {
        return Event.message(MigrateEvents.HOST_AT_RISK.name(), time, host, Map.of(CLASS, failureClass, LOCATION, location,
                PREDICTABLE, predictable, SPARE, spare, EVIDENCE, evidence));
    }

    public static HostAtRisk from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MigrateEvents.HOST_AT_RISK);
        if (!e.attrs().containsKey(PREDICTABLE)) {
            throw new EventFormatException(MigrateEvents.HOST_AT_RISK.name() + ": missing attribute " + PREDICTABLE);
        }
        return new HostAtRisk(e.time(), e.source(), EventAttrs.string(e, CLASS), EventAttrs.string(e, LOCATION),
                EventAttrs.bool(e, PREDICTABLE, false), EventAttrs.string(e, SPARE), EventAttrs.string(e, EVIDENCE, ""));
    }
}
