package dev.d2r2.broker.server;

import dev.d2r2.core.Durations;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker's connection limits as operators write them (the {@code limits:} block of the
 * broker's YAML); absent fields take {@link ConnectionLimits#DEFAULTS}.
 *
 * <pre>
 * limits:
 *   connections: 1024              # open connections in total
 *   connectionsPerIdentity: 64     # authenticated connections of one identity
 *   pendingHandshakes: 128         # connections not yet authenticated
 *   handshakeTimeout: 10s          # accept to authenticated, in total
 *   frameTimeout: 30s              # a frame's length to its last byte
 *   idleTimeout: 5m                # no frame and nothing open for this long closes a connection
 *   frameMemory: 64MiB             # shared by frames over 64 KiB still arriving (B, KiB, MiB, GiB)
 * </pre>
 */
public record LimitsConfig(Integer connections, Integer connectionsPerIdentity, Integer pendingHandshakes,
                           String handshakeTimeout, String frameTimeout, String idleTimeout, String frameMemory) {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|mib|gib)?");

    public LimitsConfig {
        toLimits(connections, connectionsPerIdentity, pendingHandshakes, handshakeTimeout, frameTimeout, idleTimeout,
                frameMemory);
    }

    public ConnectionLimits toLimits() {
        return toLimits(connections, connectionsPerIdentity, pendingHandshakes, handshakeTimeout, frameTimeout,
                idleTimeout, frameMemory);
    }

    private static ConnectionLimits toLimits(Integer connections, Integer perIdentity, Integer pending,
                                             String handshakeTimeout, String frameTimeout, String idleTimeout,
                                             String frameMemory) {
        ConnectionLimits d = ConnectionLimits.DEFAULTS;
        return new ConnectionLimits(
                connections == null ? d.connections() : connections,
                perIdentity == null ? d.connectionsPerIdentity() : perIdentity,
                pending == null ? d.pendingHandshakes() : pending,
                duration(handshakeTimeout, d.handshakeTimeout()),
                duration(frameTimeout, d.frameTimeout()),
                duration(idleTimeout, d.idleTimeout()),
                frameMemory == null ? d.frameMemoryBytes() : bytes(frameMemory));
    }

    private static Duration duration(String text, Duration absent) {
        return text == null ? absent : Durations.parse(text);
    }

    /** Parses a size such as {@code 65536}, {@code 512KiB}, {@code 64MiB} or {@code 1GiB}. */
    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: \"" + text + "\" (write e.g. 64MiB)");
        }
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size too large: \"" + text + "\"");
        }
    }
}
