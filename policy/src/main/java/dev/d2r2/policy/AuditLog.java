package dev.d2r2.policy;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The policy engine's durable record: every context change, decision and actuator outcome, as
 * events (JSON Lines, the event format of the chronicle spec §1), appended and forced to disk
 * before the engine acts on them. A torn last line (a crash mid-write) is skipped on reading, and
 * the next record starts on a line of its own.
 */
public final class AuditLog implements AutoCloseable {
    private final FileChannel channel;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private AuditLog(FileChannel channel) {
        this.channel = channel;
    }

    public static AuditLog open(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        boolean torn = false;
        if (Files.exists(file) && Files.size(file) > 0) {
            try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer last = ByteBuffer.allocate(1);
                r.read(last, r.size() - 1);
                torn = last.get(0) != '\n';
            }
        }
        AuditLog log = new AuditLog(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND));
        if (torn) {
            log.pending.write('\n');
            log.flush();
        }
        return log;
    }

    void append(Event e) {
        EventCodec.write(e, pending);
        pending.write('\n');
    }

    /** Writes what was appended and forces it to disk. */
    void flush() {
        if (pending.size() == 0) {
            return;
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(pending.toByteArray());
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
            pending.reset();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the audit trail", e);
        }
    }

    /** Reads the trail; lines that are not events are reported to {@code bad} as {@code file:line: message} and skipped. */
    public static List<Event> read(Path file, Consumer<String> bad) throws IOException {
        List<Event> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(EventCodec.decode(line));
                } catch (EventFormatException e) {
                    bad.accept(file + ":" + n + ": " + e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        flush();
        channel.close();
    }
}
