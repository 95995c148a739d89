package dev.d2r2.overlay.kad;

import java.net.InetSocketAddress;

/** A node as others reach it: its id and its UDP address. */
public record Contact(NodeId id, InetSocketAddress address) {
}
