package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The edge's UDP side: {@code receivers} sockets bound to one port with {@code SO_REUSEPORT},
 * each read by its own platform thread, so receive work spreads over the cores. The kernel
 * hashes each datagram's addresses to one socket, so every message of one source — and so of
 * one dialog's side — is handled by one loop, in order. A loop sheds a datagram from a blocked
 * source before parsing it ({@link Enforcement#blocked}), then hands the message to the
 * {@link Router} and sends what it wrote, with buffers of its own reused for every message.
 */
final class UdpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
    private static final int BUFFER_BYTES = 4 << 20;

    /** What a loop does with the bytes a router wrote for a TCP connection. */
    interface Connections {
        /** Writes {@code out} on connection {@code id}; false when it is gone. */
        boolean write(long id, ByteBuffer out) throws IOException;
    }

    private final List<DatagramChannel> channels = new ArrayList<>();
    private final List<Thread> loops = new ArrayList<>();
    private final Router router;
    private final Enforcement enforcement;
    private final BackendSet backends;
    private final EdgeCounters counters;
    private final Connections connections;
    private final EdgeProxy.Observer observer;
    private volatile boolean running = true;

    UdpTransport(InetSocketAddress listen, int receivers, Router router, Enforcement enforcement, BackendSet backends,
                 EdgeCounters counters, Connections connections, EdgeProxy.Observer observer) throws IOException {
        this.router = router;
        this.enforcement = enforcement;
        this.backends = backends;
        this.counters = counters;
        this.connections = connections;
        this.observer = observer;
        InetSocketAddress at = listen;
        try {
            for (int i = 0; i < receivers; i++) {
                DatagramChannel ch = DatagramChannel.open(at.getAddress() instanceof java.net.Inet6Address
                        ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
                channels.add(ch);
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, receivers > 1);
                ch.setOption(StandardSocketOptions.SO_RCVBUF, BUFFER_BYTES);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, BUFFER_BYTES);
                ch.bind(at);
                at = (InetSocketAddress) ch.getLocalAddress();
            }
        } catch (IOException | RuntimeException e) {
            closeChannels();
            throw e;
        }
    }

    void start() {
        for (int i = 0; i < channels.size(); i++) {
            DatagramChannel ch = channels.get(i);
            loops.add(Thread.ofPlatform().name("d2r2-edge-udp-" + i).start(() -> run(ch)));
        }
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channels.getFirst().getLocalAddress();
    }

    /** Sends from the first socket (probes, and messages read from TCP for a UDP destination). */
    void send(ByteBuffer out, InetSocketAddress to) throws IOException {
        channels.getFirst().send(out, to);
    }

    private void run(DatagramChannel ch) {
        ByteBuffer in = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 1);
        ByteBuffer out = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 4096);
        Route route = new Route();
        SipMessage message = new SipMessage();
        while (running) {
            try {
                in.clear();
                SocketAddress from = ch.receive(in);
                if (from == null) {
                    continue;
                }
                long started = System.nanoTime();
                handle(in.array(), in.position(), (InetSocketAddress) from, ch, message, out, route);
                observer.handled(System.nanoTime() - started);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                counters.count(EdgeCounter.ERRORS);
                LOG.warn("edge: a message failed: {}", e.toString());
            }
        }
    }

    private void handle(byte[] buf, int len, InetSocketAddress from, DatagramChannel ch, SipMessage message, ByteBuffer out,
                        Route route)
            throws IOException {
        counters.count(EdgeCounter.RECEIVED);
        if (len > SipParser.MAX_MESSAGE) {
            counters.count(EdgeCounter.DROPPED_TOO_LARGE);
            return;
        }
        if (enforcement.blocked(from.getAddress()) && backends.at(from) == null) {
            counters.count(EdgeCounter.DROPPED_BLOCKED);
            router.shed(buf, len, from);
            return;
        }
        SipMessage m = SipParser.datagram(message, buf, 0, len);
        if (router.route(m, from, Route.NO_CONNECTION, out, route)) {
            if (route.connection != Route.NO_CONNECTION) {
                if (!connections.write(route.connection, out)) {
                    counters.count(EdgeCounter.DROPPED_CONNECTION_GONE);
                }
            } else {
                out.flip();
                ch.send(out, route.to);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        closeChannels();
        for (Thread t : loops) {
            t.join();
        }
    }

    private void closeChannels() {
        for (DatagramChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("edge: closing a socket: {}", e.toString());
            }
        }
    }
}
