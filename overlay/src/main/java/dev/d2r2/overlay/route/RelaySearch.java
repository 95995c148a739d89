package dev.d2r2.overlay.route;

import dev.d2r2.overlay.route.RoutePacket.Type;
import dev.d2r2.overlay.wire.MalformedPacket;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * How a route agent looks for a relay once its direct path to the destination is down: limited
 * flooding ({@link FloodSearch}) or WARP ({@link WarpSearch}). Every agent runs the same one, as
 * a source and as a helper of other sources' searches; the agent owns the socket, the probes of
 * the direct path and the tunnel, and hands the search its packets and its timer.
 */
interface RelaySearch {
    /** What a search uses of its agent. */
    interface Host {
        InetSocketAddress self();

        /** Starts a packet of {@code type} in the agent's send buffer, for the body to follow. */
        ByteBuffer begin(Type type);

        /** Seals the packet begun and sends it. */
        void send(InetSocketAddress to);

        /** One reachability probe; its answer comes back through {@link #onProbeAck}. */
        void probe(InetSocketAddress destination, long id);

        /** The source's search found a relay. */
        void found(InetSocketAddress relay, String foundBy);

        /** Hands a message to the agent's inbox, to come back through {@link #onMessage}. */
        void later(Object message);

        void count(String counter);
    }

    /** The overlay neighbours changed: the next searches and floods use these. */
    void neighbours(List<InetSocketAddress> neighbours);

    /** The direct path to {@code destination} is down: look for a relay until one is found or {@link #stop}. */
    void start(InetSocketAddress destination, long now);

    /** The search is over: the direct path answers again. */
    void stop();

    /** Whether packets of this type are the search's. */
    boolean handles(Type type);

    /** A packet of the search's, authenticated; {@code body} is positioned after the header. */
    void onPacket(Type type, InetSocketAddress from, ByteBuffer body, long now) throws MalformedPacket;

    /** An answer to a probe; false if it was not one of the search's. */
    boolean onProbeAck(InetSocketAddress from, long id, long now);

    /** A message the search handed to {@link Host#later}. */
    void onMessage(Object message, long now);

    long nextDueMillis();

    void onTimer(long now);
}
