package dev.d2r2.tunnel.path;

import dev.d2r2.tunnel.wire.DropCounters;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the endpoint's threads share: one UDP socket per path (bound to the path's local address)
 * and the peer's address on it, the application socket, the spread of traffic the role decides and
 * the senders follow, whether the peer is refused, and the counters.
 */
final class Links implements AutoCloseable {
    final String[] names;
    final DatagramChannel[] channels;
    final InetSocketAddress[] remotes;
    final AtomicInteger[] frameSeq;
    final DatagramChannel app;
    final InetSocketAddress appTo;
    volatile InetSocketAddress lastClient;
    volatile boolean refused;
    final WeightedRoundRobin spread;
    final AtomicLongArray sent;
    final AtomicLongArray received;
    final DropCounters drops = new DropCounters();
    /** Frames from a refused peer, and datagrams with nowhere to go (no usable path, no application address yet). */
    final AtomicLong refusedFrames = new AtomicLong();
    final AtomicLong noRoute = new AtomicLong();

    Links(String[] names, DatagramChannel[] channels, InetSocketAddress[] remotes, DatagramChannel app, InetSocketAddress appTo) {
        this.names = names;
        this.channels = channels;
        this.remotes = remotes;
        this.app = app;
        this.appTo = appTo;
        this.frameSeq = new AtomicInteger[channels.length];
        for (int i = 0; i < channels.length; i++) {
            frameSeq[i] = new AtomicInteger();
        }
        this.spread = new WeightedRoundRobin(channels.length);
        this.sent = new AtomicLongArray(channels.length);
        this.received = new AtomicLongArray(channels.length);
    }

    int size() {
        return channels.length;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (DatagramChannel c : channels) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        app.close();
        if (first != null) {
            throw first;
        }
    }
}
