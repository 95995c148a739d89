package dev.d2r2.core.events;

import java.util.List;

/**
 * What one module declares: every event type it publishes or accepts. Each mechanism module's
 * {@code events} package has one, and {@code app} gathers them all for the catalogue check and
 * {@code docs/events.md}.
 */
public interface EventCatalogue {
    /** The module's name, as in {@code docs/events.md}'s section headings. */
    String module();

    List<EventType> types();
}
