package dev.d2r2.sip.edge;

import java.time.Duration;

/**
 * What clients' TCP connections may hold of the edge: connections in total and from one source
 * address (a connection beyond either is closed as soon as it is accepted, and counted), and how
 * long one may stay idle — nothing read or written — before the edge closes it. docs/operations.md
 * describes each and its default.
 *
 * @param connections          open client connections in total
 * @param connectionsPerSource open client connections from one IP address
 * @param idleTimeout          a connection with nothing read or written for this long is closed;
 *                             RFC 5626 clients send a CRLF keep-alive every 95–120 s, well within
 *                             the default
 */
public record TcpLimits(int connections, int connectionsPerSource, Duration idleTimeout) {
    public static final TcpLimits DEFAULTS = new TcpLimits(10_000, 256, Duration.ofMinutes(5));

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
    }
}
