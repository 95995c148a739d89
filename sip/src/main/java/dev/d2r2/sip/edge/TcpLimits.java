package dev.d2r2.sip.edge;

import java.time.Duration;

/**
 * What clients' TCP connections may hold of the edge: connections in total and from one source
 * address (a connection beyond either is closed as soon as it is accepted, and counted), how long
 * one may stay idle — nothing read or written — before the edge closes it, and the memory their
 * read buffers may take together beyond their first {@value TcpTransport#FIRST_READ_BYTES} bytes
 * each. docs/operations.md describes each and its default.
 *
 * @param connections          open client connections in total
 * @param connectionsPerSource open client connections from one IP address
 * @param idleTimeout          a connection with nothing read or written for this long is closed;
 *                             RFC 5626 clients send a CRLF keep-alive every 95–120 s, well within
 *                             the default
 * @param bufferMemoryBytes    what read buffers grown for messages larger than their first size
 *                             may take together; a message that needs more closes its connection,
 *                             so connections that each send part of a large message cannot
 *                             exhaust the heap
 */
public record TcpLimits(int connections, int connectionsPerSource, Duration idleTimeout, long bufferMemoryBytes) {
    public static final TcpLimits DEFAULTS = new TcpLimits(10_000, 256, Duration.ofMinutes(5), 64L << 20);

    public TcpLimits {
        if (connections < 1) {
            throw new IllegalArgumentException("tcp connections must be at least 1, not " + connections);
        }
        if (connectionsPerSource < 1) {
            throw new IllegalArgumentException("tcp connections-per-source must be at least 1, not " + connectionsPerSource);
        }
        if (idleTimeout == null || !idleTimeout.isPositive()) {
            throw new IllegalArgumentException("tcp idle-timeout must be a positive duration, not " + idleTimeout);
        }
        if (bufferMemoryBytes < TcpTransport.MAX_READ_BYTES) {
            throw new IllegalArgumentException("tcp buffer-memory must hold one largest message (" + TcpTransport.MAX_READ_BYTES
                    + " bytes), not " + bufferMemoryBytes);
        }
    }
}
