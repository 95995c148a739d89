package dev.d2r2.broker.server;

import dev.d2r2.broker.wire.Frames;

import java.time.Duration;

/**
 * What one broker listener lets clients hold: connections (in total, per identity, and still in
 * their handshake), time (to finish the handshake, to finish a frame once its length is read,
 * to sit idle with nothing open) and memory for large frames in flight. docs/operations.md
 * describes each and its default.
 *
 * @param connections            open connections, authenticated or not
 * @param connectionsPerIdentity authenticated connections of one identity
 * @param pendingHandshakes      connections not yet authenticated
 * @param handshakeTimeout       from accept to the end of TLS and d2r2 handshakes, in total
 * @param frameTimeout           from a frame's length to its last byte
 * @param idleTimeout            a connection with no publisher or subscription open and no frame
 *                               received for this long is closed
 * @param frameMemoryBytes       bytes all connections together may hold for frames larger than
 *                               {@link #SMALL_FRAME_BYTES} whose bodies are still arriving
 */
public record ConnectionLimits(int connections, int connectionsPerIdentity, int pendingHandshakes,
                               Duration handshakeTimeout, Duration frameTimeout, Duration idleTimeout,
                               long frameMemoryBytes) {
    /** Frames up to this size are read without asking the shared frame memory. */
    public static final int SMALL_FRAME_BYTES = 64 * 1024;

    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(1024, 64, 128, Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(5), 64L * 1024 * 1024);

    public ConnectionLimits {
        positive("connections", connections);
        positive("connectionsPerIdentity", connectionsPerIdentity);
        positive("pendingHandshakes", pendingHandshakes);
        positive("handshakeTimeout", handshakeTimeout);
        positive("frameTimeout", frameTimeout);
        positive("idleTimeout", idleTimeout);
        if (frameMemoryBytes < Frames.MAX_FRAME_BYTES || frameMemoryBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frameMemory must hold one largest frame ("
                    + Frames.MAX_FRAME_BYTES + " bytes) and be under 2 GiB, not " + frameMemoryBytes);
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, not " + value);
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, not " + value);
        }
    }
}
