package dev.d2r2.diagnosis;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.monitor.events.Sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Recorded samples: one event per line, as {@code d2r2 subscribe} prints them (the metrics
 * channel). Lines that are not a sample are reported as {@code file:line:col: why} and skipped;
 * other event types are ignored.
 */
public final class SampleFile {
    private SampleFile() {
    }

    /** The samples of the file in file order; each unreadable line goes to {@code errors}. */
    public static List<Sample> read(Path file, Consumer<String> errors) throws IOException {
        List<Sample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Event e = EventCodec.decode(line);
                    if (e.isState() || !e.attrs().containsKey(Sample.VALUE) || e.source() == null) {
                        continue;
                    }
                    out.add(Sample.from(e));
                } catch (EventFormatException | RuntimeException e) {
                    errors.accept(file + ":" + n + ":1: " + e.getMessage());
                }
            }
        }
        return out;
    }
}
