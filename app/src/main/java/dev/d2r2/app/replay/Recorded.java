package dev.d2r2.app.replay;

import dev.d2r2.core.Event;

/**
 * One recorded event as a replay takes it: its channel, its offset there, and when it happened on
 * the replay's clock ({@code at}: the broker's time when it took the event, or the event's own time
 * for events given in a file).
 */
public record Recorded(String channel, long offset, long at, Event event) {
}
