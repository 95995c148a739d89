package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code migration.failure.classified}: a failure (or a threat of one) classified as the
 * migration strategy table needs it — class, location, predictability — naming the host at risk
 * and a spare host; the example policy picks the strategy (docs/migration.md).
 */
public record FailureClassified(long time, String host, String failureClass, String location, boolean predictable,
                                String spare) {
    public static final String CLASS = "class";
    public static final String LOCATION = "location";
    public static final String PREDICTABLE = "predictable";
    public static final String SPARE = "spare";

    public Event toEvent() {
        return Event.message(MigrateEvents.FAILURE_CLASSIFIED.name(), time, host, Map.of(CLASS, failureClass, LOCATION, location,
                PREDICTABLE, predictable, SPARE, spare));
    }

    public static FailureClassified from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MigrateEvents.FAILURE_CLASSIFIED);
        if (!e.attrs().containsKey(PREDICTABLE)) {
            throw new EventFormatException(MigrateEvents.FAILURE_CLASSIFIED.name() + ": missing attribute " + PREDICTABLE);
        }
        return new FailureClassified(e.time(), e.source(), EventAttrs.string(e, CLASS), EventAttrs.string(e, LOCATION),
                EventAttrs.bool(e, PREDICTABLE, false), EventAttrs.string(e, SPARE));
    }
}
