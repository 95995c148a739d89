package dev.d2r2.overlay.route;

import java.net.InetSocketAddress;
import java.util.List;

/** WARP's messages between route agents ({@link Warp}); {@link RoutePacket} writes and reads them. */
sealed interface WarpMessage {
    long search();

    /** Phase 1: routed by overlay id towards the destination; copy {@code seq} of {@link WarpConfig#probes()}. */
    record Seek(long search, int seq, InetSocketAddress origin, InetSocketAddress destination, int hops) implements WarpMessage {
    }

    /** The destination's answer to a seeker, straight to the origin: the overlay hop that delivered it. */
    record SeekAck(long search, int seq, InetSocketAddress lastHop) implements WarpMessage {
    }

    /** Phase 2: routed like the seeker; every hop measures its own path to the destination. */
    record Trace(long search, InetSocketAddress origin, InetSocketAddress destination, int hops) implements WarpMessage {
    }

    /** Phase 3: ask up to k neighbours not in {@code asked} whether they reach the destination. */
    record Extend(long search, InetSocketAddress origin, InetSocketAddress destination, List<InetSocketAddress> asked)
            implements WarpMessage {
    }

    /** Phase 3: does this peer reach the destination? It answers the origin directly. */
    record Ask(long search, InetSocketAddress origin, InetSocketAddress destination) implements WarpMessage {
    }

    /**
     * A peer's measurement of its path to the destination, to the origin: a report of a hop on the
     * trace (phase 2, sent only when some probe was answered) or an answer to an ask (phase 3, always).
     */
    record Measured(long search, boolean asked, int sent, int answered, long rttMillis) implements WarpMessage {
        double loss() {
            return sent == 0 ? 1 : 1 - (double) answered / sent;
        }
    }
}
