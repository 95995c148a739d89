package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.wire.Control;

import java.net.InetSocketAddress;

/** An authenticated control message, handed from the UDP reader to the role. */
record Received(InetSocketAddress from, int tunnelId, Control message) {
}
