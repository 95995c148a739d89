package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The edge's TCP side: clients' connections accepted and each read on a virtual thread of its
 * own, framed by Content-Length (RFC 3261 §18.3), each message handled by the {@link Router} as
 * soon as its body is complete. What the router sends to an address goes out over UDP.
 */
final class TcpTransport implements AutoCloseable, UdpTransport.Connections {
    private final ServerSocketChannel server;
    private final Map<Long, TcpConnection> connections = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final EdgeCounters counters;
    private final EdgeProxy.Observer observer;
    private Router router;
    private UdpTransport udp;
    private Thread acceptor;
    private volatile boolean running = true;

    TcpTransport(InetSocketAddress listen, EdgeCounters counters, EdgeProxy.Observer observer) throws IOException {
        this.server = ServerSocketChannel.open();
        this.counters = counters;
        this.observer = observer;
        server.bind(listen, 1024);
    }

    void start(Router router, UdpTransport udp) {
        this.router = router;
        this.udp = udp;
        this.acceptor = Thread.ofVirtual().name("d2r2-edge-tcp-accept").start(this::accept);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    boolean isOpen(long id) {
        return connections.containsKey(id);
    }

    @Override
    public boolean write(long id, ByteBuffer out) throws IOException {
        TcpConnection c = connections.get(id);
        if (c == null) {
            return false;
        }
        c.write(out);
        return true;
    }

    private void accept() {
        while (running) {
            try {
                SocketChannel c = server.accept();
                TcpConnection conn = new TcpConnection(ids.incrementAndGet(), c);
                connections.put(conn.id, conn);
                counters.count(EdgeCounter.TCP_ACCEPTED);
                Thread.ofVirtual().name("d2r2-edge-tcp-" + conn.id).start(() -> read(conn));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                counters.count(EdgeCounter.ERRORS);
            }
        }
    }

    /** Reads a connection's stream and handles each message as soon as its body is complete. */
    private void read(TcpConnection conn) {
        ByteBuffer in = ByteBuffer.allocate(2 * SipParser.MAX_MESSAGE);
        ByteBuffer out = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 4096);
        Route route = new Route();
        try (conn) {
            while (running && conn.channel.read(in) >= 0) {
                int off = 0;
                while (true) {
                    SipMessage m = SipParser.stream(in.array(), off, in.position() - off);
                    if (m == SipParser.INCOMPLETE) {
                        break;
                    }
                    counters.count(EdgeCounter.RECEIVED);
                    long started = System.nanoTime();
                    if (router.route(m, conn.remote, conn.id, out, route)) {
                        deliver(out, route);
                    }
                    observer.handled(System.nanoTime() - started);
                    if (m.malformation() != null) {
                        counters.count(EdgeCounter.TCP_CLOSED_ON_FRAMING_ERROR);
                        return;
                    }
                    off = m.end();
                }
                in.limit(in.position()).position(off);
                in.compact();
                if (!in.hasRemaining()) {
                    counters.count(EdgeCounter.DROPPED_TOO_LARGE);
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            counters.count(EdgeCounter.TCP_ERRORS);
        } finally {
            connections.remove(conn.id);
        }
    }

    private void deliver(ByteBuffer out, Route route) throws IOException {
        if (route.connection != Route.NO_CONNECTION) {
            if (!write(route.connection, out)) {
                counters.count(EdgeCounter.DROPPED_CONNECTION_GONE);
            }
        } else {
            out.flip();
            udp.send(out, route.to);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        running = false;
        server.close();
        connections.values().forEach(TcpConnection::close);
        if (acceptor != null) {
            acceptor.join();
        }
    }
}
