package dev.d2r2.app.cli;

import dev.d2r2.core.Durations;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Times as commands take them: an instant ({@code 2026-11-22T10:00:00Z}) or a duration back from now ({@code 10m}). */
final class TimeArgs {
    private TimeArgs() {
    }

    static long since(String text, long now) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            return now - Durations.parse(text).toMillis();
        }
    }
}
