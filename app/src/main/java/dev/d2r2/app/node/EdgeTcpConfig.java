package dev.d2r2.app.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.broker.server.LimitsConfig;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.sip.edge.TcpLimits;

import java.time.Duration;

/**
 * The limits on clients' TCP connections to the edge (the {@code tcp:} block of its
 * configuration); absent fields take {@link TcpLimits#DEFAULTS}.
 *
 * <pre>
 * tcp:
 *   connections: 10000             # open client connections in total
 *   connections-per-source: 256    # open client connections from one IP address
 *   idle-timeout: 5m               # nothing read or written for this long closes a connection
 *   buffer-memory: 64MiB           # read buffers grown for large messages, all together (B, KiB, MiB, GiB)
 * </pre>
 */
public record EdgeTcpConfig(Integer connections, @JsonProperty("connections-per-source") Integer connectionsPerSource,
                            @JsonProperty("idle-timeout") Duration idleTimeout,
                            @JsonProperty("buffer-memory") String bufferMemory) {
    public static final EdgeTcpConfig DEFAULTS = new EdgeTcpConfig(null, null, null, null);

    public EdgeTcpConfig {
        toLimits(connections, connectionsPerSource, idleTimeout, bufferMemory);
    }

    public TcpLimits toLimits() {
        return toLimits(connections, connectionsPerSource, idleTimeout, bufferMemory);
    }

    private static TcpLimits toLimits(Integer connections, Integer perSource, Duration idleTimeout, String bufferMemory) {
        TcpLimits d = TcpLimits.DEFAULTS;
        long memory;
        try {
            memory = bufferMemory == null ? d.bufferMemoryBytes() : LimitsConfig.bytes(bufferMemory);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "buffer-memory");
        }
        return new TcpLimits(connections == null ? d.connections() : connections,
                perSource == null ? d.connectionsPerSource() : perSource,
                idleTimeout == null ? d.idleTimeout() : idleTimeout, memory);
    }
}
