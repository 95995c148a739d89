package dev.d2r2.sip.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Semaphore;

/**
 * A server's registrations kept in a file (its {@link ServerState#registrationsOnly}, as JSON):
 * read when the server starts ({@link #startWith}), and written again on a thread of its own after each change of its
 * registrations, several changes at once when they come faster than a write. A write goes to a
 * temporary file renamed over the last one, so whoever copies the file (the scaler's snapshot of
 * an instance's directory, docs/scaling.md) gets a whole state, at most one write behind.
 */
public final class StateFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateFile.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Path file;
    private final Path temporary;
    private final SipServer server;
    private final Semaphore changed = new Semaphore(0);
    private final Thread writer;
    private volatile boolean running = true;

    private StateFile(Path file, SipServer server) {
        this.file = file;
        this.temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        this.server = server;
        this.writer = Thread.ofPlatform().daemon().name("sip-state-file").start(this::write);
        server.onRegistrationChange(changed::release);
    }

    /** Writes {@code server}'s registrations to {@code file} after each change, until closed. */
    public static StateFile keep(Path file, SipServer server) {
        return new StateFile(file, server);
    }

    /**
     * The registrations {@code file} holds, for a server to start with ({@link ServerState#registrationsOnly}),
     * or null when there is no such file.
     *
     * @throws IOException unreadable, or not a server state (the message says where: {@code file:line:col})
     */
    public static ServerState startWith(Path file) throws IOException {
        return Files.exists(file) ? read(file).registrationsOnly() : null;
    }

    /** The state {@code file} holds. */
    public static ServerState read(Path file) throws IOException {
        try {
            ServerState state = JSON.readValue(file.toFile(), ServerState.class);
            if (state == null) {
                throw new IOException(file + ": not a server state");
            }
            return state;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IOException(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr()) + ": not a server state: "
                    + e.getOriginalMessage(), e);
        }
    }

    private void write() {
        while (running) {
            try {
                changed.acquire();
                changed.drainPermits();
                if (!running) {
                    return;
                }
                JSON.writeValue(temporary.toFile(), server.registrationState());
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("sip-server: could not write its state to {}: {}", file, e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        writer.interrupt();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
