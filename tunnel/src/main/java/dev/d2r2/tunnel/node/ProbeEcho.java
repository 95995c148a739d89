package dev.d2r2.tunnel.node;

import java.net.InetSocketAddress;

/** From the DN failure detector's UDP reader to its agent: a probe came back through the DN at {@code from}. */
record ProbeEcho(InetSocketAddress from, long number) {
}
