package dev.d2r2.migrate.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Duration;

/**
 * The live migration protocol over a {@link SecureChannel}: the source sends its server's whole
 * {@code STATE}, then {@code DELTA}s while it keeps serving, each what changed during the
 * previous round, until a delta is small; it pauses its server and sends the {@code FINAL}
 * delta. The target starts a server with that state and answers {@code READY}; the source
 * releases the service address and sends {@code GO}; the target acquires the address and
 * answers {@code DONE}. Either side may send {@code ABORT} with a reason before {@code GO}.
 */
public final class Migration {
    static final byte STATE = 'S';
    static final byte DELTA = 'D';
    static final byte FINAL = 'F';
    static final byte READY = 'R';
    static final byte GO = 'G';
    static final byte DONE = 'K';
    static final byte ABORT = 'A';
    /** A periodic snapshot for a keeper ({@link SnapshotFrame}), answered {@code DONE} or {@code ABORT}. */
    static final byte SNAPSHOT = 'P';
    /**
     * The live state of a server that keeps serving, for a replica beside it ({@link ReplicaOpen}),
     * answered {@code DONE} with the replica's address or {@code ABORT}; the stream then carries a
     * {@code DELTA} ({@link DeltaFrame}) every period until the source ends it ({@code ABORT}) or fails.
     */
    static final byte REPLICA = 'C';

    static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * @param maxRounds     delta rounds at most before the stop-and-copy
     * @param stopBelow     a delta with fewer entries than this ends the pre-copy
     * @param roundPause    time between rounds, so that a round's delta is worth sending
     * @param answerTimeout how long either side waits for the other's next frame
     */
    public record Settings(int maxRounds, int stopBelow, Duration roundPause, Duration answerTimeout) {
        public static final Settings DEFAULT = new Settings(8, 32, Duration.ofMillis(20), Duration.ofSeconds(3));
    }

    private Migration() {
    }

    static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T read(byte[] bytes, Class<T> type) throws IOException {
        return JSON.readValue(bytes, type);
    }

    static String text(byte[] bytes) {
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
