package dev.d2r2.sip.edge;

import java.net.InetSocketAddress;

/**
 * Where the bytes a {@link Router} wrote go: to an address over UDP, or on a client's TCP
 * connection. One per transport loop, reused for every message, with the scratch space the
 * router writes the edge's Via and Record-Route into.
 */
final class Route {
    static final long NO_CONNECTION = -1;

    InetSocketAddress to;
    long connection = NO_CONNECTION;
    final byte[] via = new byte[256];
    int viaLength;
    final byte[] recordRoute = new byte[512];
    int recordRouteLength;
    /** The loop's probe for looking dialogs up by the message's Call-ID. */
    final CallId callId = new CallId();
    final Addresses addresses = new Addresses();

    void toAddress(InetSocketAddress address) {
        to = address;
        connection = NO_CONNECTION;
    }

    void toConnection(long id) {
        to = null;
        connection = id;
    }
}
