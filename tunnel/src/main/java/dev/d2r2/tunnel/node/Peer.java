package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.ReplayWindow;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The far end of one tunnel as the data path sees it: where to send, under which tunnel id, the
 * next sequence number (shared by the data path and the role's control messages), and the key the
 * TUN reader seals with (that thread's alone), and the replay window of the frames that come from
 * it (the UDP reader's alone; null for a peer only replied to). On a DN, {@code carrying} says whether this DN
 * carries the EN's traffic, and {@code activationAsked} keeps the UDP reader from asking the role
 * to start carrying more than once. A DN moves {@code endpoint} when its EN speaks from another of its
 * uplinks.
 */
final class Peer {
    final String name;
    volatile InetSocketAddress endpoint;
    final int tunnelId;
    final int address;
    final AtomicInteger sequence = new AtomicInteger();
    final PacketMac dataMac;
    final ReplayWindow window;
    volatile boolean carrying;
    final AtomicBoolean activationAsked = new AtomicBoolean();

    Peer(String name, InetSocketAddress endpoint, int tunnelId, int address, PacketMac dataMac) {
        this(name, endpoint, tunnelId, address, dataMac, null);
    }

    Peer(String name, InetSocketAddress endpoint, int tunnelId, int address, PacketMac dataMac, ReplayWindow window) {
        this.window = window;
        this.name = name;
        this.endpoint = endpoint;
        this.tunnelId = tunnelId;
        this.address = address;
        this.dataMac = dataMac;
    }
}
