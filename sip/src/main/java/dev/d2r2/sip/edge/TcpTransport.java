package dev.d2r2.sip.edge;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.ErrorLog;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The edge's TCP side: clients' connections accepted within the {@link TcpLimits} (in total and
 * per source address; beyond, closed at once and counted), each read on a virtual thread of its
 * own, framed by Content-Length (RFC 3261 §18.3), each message handled by the {@link Router} as
 * soon as its body is complete, and closed when idle for the limit ({@link TcpIdleSweep}). What
 * the router sends to an address goes out over UDP.
 *
 * <p>An idle connection costs little: its read buffer starts at {@value #FIRST_READ_BYTES} bytes,
 * grows (up to two largest messages) only while a message does not fit, and shrinks back once it
 * is handled; the output space is lent from a {@link ScratchPool} for what one read brought.
 * RFC 5626 keep-alives (a CRLF pair between messages) are answered with a CRLF.
 */
final class TcpTransport implements AutoCloseable, UdpTransport.Connections {
    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);
    /** A connection's read buffer while no message needs more: most SIP messages fit. */
    static final int FIRST_READ_BYTES = 4096;
    /** The most a connection's read buffer grows to: a message may have a largest header part and a largest body. */
    static final int MAX_READ_BYTES = 2 * SipParser.MAX_MESSAGE;
    private static final byte[] PONG = {'\r', '\n'};
    private static final Object LIMITS_CHANGED = new Object();

    private final ServerSocketChannel server;
    private final Map<Long, TcpConnection> connections = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> perSource = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong readBufferBytes = new AtomicLong();
    private final AtomicLong grownBufferBytes = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private final ScratchPool scratches = new ScratchPool(64);
    private final Clock clock;
    private final EdgeCounters counters;
    private final EdgeProxy.Observer observer;
    private final ErrorLog refusals;
    private final AgentRunner sweeper;
    private volatile TcpLimits limits = TcpLimits.DEFAULTS;
    private Router router;
    private UdpTransport udp;
    private Thread acceptor;
    private volatile boolean running = true;

    TcpTransport(InetSocketAddress listen, Clock clock, EdgeCounters counters, EdgeProxy.Observer observer) throws IOException {
        this.server = ServerSocketChannel.open();
        this.clock = clock;
        this.counters = counters;
        this.observer = observer;
        this.refusals = new ErrorLog(LOG, clock, 60_000);
        this.sweeper = new AgentRunner(new TcpIdleSweep(connections.values(), () -> limits, counters), 16, clock);
        server.bind(listen, 1024);
    }

    void start(Router router, UdpTransport udp) {
        this.router = router;
        this.udp = udp;
        sweeper.start();
        this.acceptor = Thread.ofVirtual().name("d2r2-edge-tcp-accept").start(this::accept);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    void limits(TcpLimits l) {
        limits = l;
        sweeper.offer(LIMITS_CHANGED);
    }

    TcpLimits limits() {
        return limits;
    }

    /** Clients' connections open now. */
    int connections() {
        return open.get();
    }

    /** Bytes the open connections' read buffers hold. */
    long readBufferBytes() {
        return readBufferBytes.get();
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
        c.lastActiveMs = clock.millis();
        return true;
    }

    private void accept() {
        while (running) {
            try {
                SocketChannel c = server.accept();
                TcpConnection conn = admit(c);
                if (conn != null) {
                    counters.count(EdgeCounter.TCP_ACCEPTED);
                    Thread.ofVirtual().name("d2r2-edge-tcp-" + conn.id).start(() -> read(conn));
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                counters.count(EdgeCounter.TCP_ERRORS);
                refusals.warn("accept", "edge: accepting a TCP connection failed: " + e.getMessage()
                        + " (out of file descriptors? raise the process's limit, ulimit -n, or lower tcp.connections)");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    /** The connection, registered, when the limits let it in; else closed and counted, and null. */
    private TcpConnection admit(SocketChannel c) throws IOException {
        TcpLimits l = limits;
        InetAddress source = ((InetSocketAddress) c.getRemoteAddress()).getAddress();
        EdgeCounter refusal = null;
        if (open.incrementAndGet() > l.connections()) {
            refusal = EdgeCounter.TCP_REFUSED_CONNECTIONS;
            refusals.warn("connections", "edge: TCP connection from " + source.getHostAddress() + " refused: "
                    + l.connections() + " connections are open, the limit (tcp.connections in the edge's configuration)");
        } else if (perSource.merge(source, 1, Integer::sum) > l.connectionsPerSource()) {
            release(source);
            refusal = EdgeCounter.TCP_REFUSED_PER_SOURCE;
            refusals.warn("per-source", "edge: TCP connection from " + source.getHostAddress() + " refused: it has "
                    + l.connectionsPerSource() + " open, the limit per source (tcp.connections-per-source in the edge's"
                    + " configuration; raise it for a NAT or a trunk that opens many)");
        }
        if (refusal != null) {
            open.decrementAndGet();
            counters.count(refusal);
            c.close();
            return null;
        }
        try {
            TcpConnection conn = new TcpConnection(ids.incrementAndGet(), c, clock.millis());
            connections.put(conn.id, conn);
            return conn;
        } catch (IOException | RuntimeException e) {
            release(source);
            open.decrementAndGet();
            c.close();
            throw e;
        }
    }

    private void release(InetAddress source) {
        perSource.computeIfPresent(source, (a, n) -> n == 1 ? null : n - 1);
    }

    /** Reads a connection's stream and handles each message as soon as its body is complete. */
    private void read(TcpConnection conn) {
        ByteBuffer in = ByteBuffer.allocate(FIRST_READ_BYTES);
        resized(0, FIRST_READ_BYTES);
        try (conn) {
            while (running && conn.channel.read(in) >= 0) {
                conn.lastActiveMs = clock.millis();
                int off = handle(conn, in);
                if (off < 0) {
                    return;
                }
                ByteBuffer next = settle(in, off);
                if (next == null) {
                    return;
                }
                in = next;
            }
        } catch (ClosedChannelException e) {
            // closed by the idle sweep or the edge's close
        } catch (IOException | RuntimeException e) {
            counters.count(EdgeCounter.TCP_ERRORS);
        } finally {
            resized(in.capacity(), 0);
            connections.remove(conn.id);
            release(conn.remote.getAddress());
            open.decrementAndGet();
        }
    }

    /**
     * Handles the complete messages in {@code in} (from 0 to its position): where the next one
     * starts, or -1 when the connection must close (a framing error, answered).
     */
    private int handle(TcpConnection conn, ByteBuffer in) throws IOException {
        byte[] b = in.array();
        int end = in.position();
        int off = keepAlives(conn, b, 0, end);
        ScratchPool.Scratch s = null;
        try {
            while (off < end) {
                SipMessage m = SipParser.stream(b, off, end - off);
                if (m == SipParser.INCOMPLETE) {
                    break;
                }
                if (s == null) {
                    s = scratches.take();
                }
                counters.count(EdgeCounter.RECEIVED);
                long started = System.nanoTime();
                if (router.route(m, conn.remote, conn.id, s.out, s.route)) {
                    deliver(s.out, s.route);
                }
                observer.handled(System.nanoTime() - started);
                if (m.malformation() != null) {
                    counters.count(EdgeCounter.TCP_CLOSED_ON_FRAMING_ERROR);
                    return -1;
                }
                off = keepAlives(conn, b, m.end(), end);
            }
            return off;
        } finally {
            if (s != null) {
                scratches.give(s);
            }
        }
    }

    /** Skips the CR and LF octets between messages from {@code off}, answering a keep-alive ping (RFC 5626 §4.4.1). */
    private int keepAlives(TcpConnection conn, byte[] b, int off, int end) throws IOException {
        int i = off;
        while (i < end && (b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        if (i - off >= 4) {
            ByteBuffer pong = ByteBuffer.wrap(PONG.clone());
            pong.position(PONG.length);
            conn.write(pong);
        }
        return i;
    }

    /**
     * The buffer to read on into, {@code in}'s bytes from {@code off} at its start: back to its
     * first size when they are all handled, twice as large when a message fills it; null (counted)
     * when it cannot grow: the message is too large, or the buffers' memory is spent.
     */
    private ByteBuffer settle(ByteBuffer in, int off) {
        in.limit(in.position()).position(off);
        if (!in.hasRemaining() && in.capacity() > FIRST_READ_BYTES) {
            resized(in.capacity(), FIRST_READ_BYTES);
            return ByteBuffer.allocate(FIRST_READ_BYTES);
        }
        in.compact();
        if (in.hasRemaining()) {
            return in;
        }
        if (in.capacity() >= MAX_READ_BYTES) {
            counters.count(EdgeCounter.DROPPED_TOO_LARGE);
            return null;
        }
        int larger = Math.min(MAX_READ_BYTES, 2 * in.capacity());
        if (grownBufferBytes.addAndGet(larger - in.capacity()) > limits.bufferMemoryBytes()) {
            grownBufferBytes.addAndGet(in.capacity() - larger);
            counters.count(EdgeCounter.TCP_CLOSED_ON_BUFFER_MEMORY);
            return null;
        }
        readBufferBytes.addAndGet(larger - in.capacity());
        return ByteBuffer.allocate(larger).put(in.flip());
    }

    /** Accounts for a read buffer of {@code from} bytes replaced by one of {@code to} (0: none). */
    private void resized(int from, int to) {
        readBufferBytes.addAndGet(to - from);
        grownBufferBytes.addAndGet(Math.max(0, to - FIRST_READ_BYTES) - Math.max(0, from - FIRST_READ_BYTES));
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
            sweeper.close();
        }
    }
}
