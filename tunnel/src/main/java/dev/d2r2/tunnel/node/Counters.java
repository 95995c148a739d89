package dev.d2r2.tunnel.node;

import dev.d2r2.core.Event;
import dev.d2r2.tunnel.events.TunnelStatus;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.DropCounters;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** A node's packet counters, written by the pumps without allocating and read by the role for its status event. */
final class Counters {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final DropCounters drops = new DropCounters();
    /** Data frames sent and received on each UDP socket (a multihomed EN's uplinks; one otherwise). */
    final AtomicLongArray sentOn;
    final AtomicLongArray receivedOn;

    Counters() {
        this(1);
    }

    Counters(int sockets) {
        sentOn = new AtomicLongArray(sockets);
        receivedOn = new AtomicLongArray(sockets);
    }

    Event status(long now, String node, String role) {
        return new TunnelStatus(now, node, role, sent.get(), received.get(), drops.get(Drop.MALFORMED), drops.get(Drop.UNAUTHENTICATED),
                drops.get(Drop.UNKNOWN_TUNNEL), drops.get(Drop.NO_ROUTE),
                drops.get(Drop.REPLAYED)).toEvent();
    }
}
