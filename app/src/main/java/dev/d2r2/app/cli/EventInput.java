package dev.d2r2.app.cli;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** JSON Lines events from a file or stdin ({@code -}); bad lines are reported as {@code name:line: message} and skipped. */
final class EventInput {
    /** Takes one event: its line number and its position among the non-blank lines. */
    interface Handler {
        void accept(Event e, int line, int position) throws IOException;
    }

    private EventInput() {
    }

    static String name(String events) {
        return events.equals("-") ? "stdin" : events;
    }

    /** Reads every event; returns how many lines were not events. */
    static long read(String events, Handler handler) throws IOException {
        String name = name(events);
        long malformed = 0;
        try (BufferedReader in = events.equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16)
                : Files.newBufferedReader(Path.of(events), StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            int position = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                position++;
                Event e;
                try {
                    e = EventCodec.decode(line);
                } catch (EventFormatException ex) {
                    malformed++;
                    System.err.println(name + ":" + lineNo + ": " + ex.getMessage());
                    continue;
                }
                handler.accept(e, lineNo, position);
            }
        }
        return malformed;
    }
}
