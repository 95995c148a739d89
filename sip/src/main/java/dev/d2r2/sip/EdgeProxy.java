package dev.d2r2.sip;

import dev.d2r2.core.Rendezvous;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SIP edge over UDP: a stateless proxy (RFC 3261 §16.11) that spreads dialogs over backends
 * by rendezvous hashing of the Call-ID, weighted by capacity, and keeps every dialog on its
 * backend by carrying the backend in its Record-Route ({@code ;d2r2-b=host:port}) — no table
 * to lose. Requests from a backend go to their next hop (a Route, else the Request-URI);
 * in-dialog requests from outside go to the backend their Route names, or without one (SIPp's
 * uac sends its ACK and BYE straight to the edge) to the Call-ID's backend, as do CANCEL and
 * the ACK of a non-2xx answer. When a dialog's backend is down, its in-dialog requests go to the
 * affinity key's backend among those up ({@code failover.in_dialog}), which can end the call if
 * the servers replicate their dialogs ({@link ServerRole}). Responses go back by Via. Bad
 * requests are answered statelessly, bad responses dropped, each counted by reason.
 */
public final class EdgeProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeProxy.class);
    private static final String BACKEND_PARAM = ";d2r2-b=";

    private final DatagramChannel channel;
    private final String advertised;
    private final long secret = new java.security.SecureRandom().nextLong();
    private volatile List<Backend> backends;
    /** A dialog: its backend, when its INVITE's 2xx passed, and whether the caller's ACK did too. */
    private record Dialog(Backend backend, long since, boolean confirmed) {
    }

    private final Map<String, Dialog> dialogs = new ConcurrentHashMap<>();
    private volatile long dialogTimeoutMs = 2 * 3_600_000L;
    private volatile long ackTimeoutMs = SipServer.ACK_TIMEOUT_MS;
    private final Thread sweeper;
    private final Counters counters = new Counters();
    private final Thread loop;
    private volatile boolean running = true;

    private final Prober prober;
    private final Consumer<BackendEvent> changes;
    private final Enforcement enforcement = new Enforcement(dev.d2r2.core.Clock.system());
    private volatile Affinity affinity = Affinity.CALL_ID;
    private final java.nio.channels.ServerSocketChannel tcp;
    private final Map<Long, TcpConnection> connections = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong connectionIds = new java.util.concurrent.atomic.AtomicLong();
    private final Thread acceptor;
    private static final String CONNECTION_PARAM = ";d2r2-c=";

    /**
     * Where a message came from: an address, the TCP connection it came on (null over UDP), and
     * the backend at that address (null for a client).
     */
    private record Source(InetSocketAddress address, TcpConnection connection, Backend backend) {
    }
    static final double DEFAULT_SUSPECT_RATE = 30;
    private volatile Telemetry telemetry;
    private volatile double suspectRate = DEFAULT_SUSPECT_RATE;
    private volatile EdgeMetrics metrics;
    private dev.d2r2.core.agent.AgentRunner telemetryRunner;

    /** An edge probing its backends every 500 ms with a 300 ms timeout; {@code changes} hears when one goes down or up. */
    public EdgeProxy(InetSocketAddress listen, List<Backend> backends, java.util.function.Consumer<BackendEvent> changes)
            throws IOException {
        this(listen, backends, java.time.Duration.ofMillis(500), java.time.Duration.ofMillis(300), changes);
    }

    public EdgeProxy(InetSocketAddress listen, List<Backend> backends, java.time.Duration probeInterval,
                     java.time.Duration probeTimeout, java.util.function.Consumer<BackendEvent> changes) throws IOException {
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.bind(listen);
        InetSocketAddress bound = (InetSocketAddress) channel.getLocalAddress();
        this.advertised = (bound.getAddress() instanceof java.net.Inet6Address ? "[" + bound.getHostString() + "]"
                : bound.getHostString()) + ":" + bound.getPort();
        this.backends = List.copyOf(backends);
        this.tcp = java.nio.channels.ServerSocketChannel.open();
        tcp.bind(new InetSocketAddress(bound.getAddress(), bound.getPort()), 1024);
        this.loop = Thread.ofPlatform().name("d2r2-edge-udp").start(this::run);
        this.acceptor = Thread.ofVirtual().name("d2r2-edge-tcp-accept").start(this::accept);
        this.sweeper = Thread.ofVirtual().name("d2r2-edge-dialogs").start(this::sweep);
        this.changes = changes;
        this.prober = new Prober(() -> this.backends, probeInterval, probeTimeout, advertised, this::probe, this::report);
    }

    private void report(BackendEvent e) {
        count("backend." + e.state());
        LOG.info("edge: backend {} {} ({})", e.backend().id(), e.state(), e.why());
        changes.accept(e);
    }

    /** Adds a backend (or changes the weight of the one at the same address). */
    public synchronized Backend add(InetSocketAddress address, double weight) {
        Backend fresh = new Backend(address, weight);
        Backend current = byId(fresh.id());
        if (current != null) {
            current.weight(weight);
            report(new BackendEvent(current, "weight", "weight " + weight));
            return current;
        }
        List<Backend> next = new java.util.ArrayList<>(backends);
        next.add(fresh);
        backends = List.copyOf(next);
        report(new BackendEvent(fresh, "added", "weight " + weight));
        return fresh;
    }

    /** Removes a backend at once: no new dialogs; its dialogs' in-dialog requests still reach it by their Route. */
    public synchronized boolean remove(String id) {
        Backend b = byId(id);
        if (b == null) {
            return false;
        }
        List<Backend> next = new java.util.ArrayList<>(backends);
        next.remove(b);
        backends = List.copyOf(next);
        report(new BackendEvent(b, "removed", "by request"));
        return true;
    }

    /** Drains a backend: no new dialogs; {@code drained} is reported when its last dialog ends. */
    public boolean drain(String id) {
        Backend b = byId(id);
        if (b == null) {
            return false;
        }
        b.draining = true;
        report(new BackendEvent(b, "draining", b.activeDialogs() + " dialogs left"));
        if (b.activeDialogs() == 0) {
            report(new BackendEvent(b, "drained", "no dialog left"));
        }
        return true;
    }

    public Backend backend(String id) {
        return byId(id);
    }

    private void probe(byte[] message, Backend to) {
        try {
            channel.send(ByteBuffer.wrap(message), to.address());
        } catch (IOException e) {
            count("errors");
        }
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Publishes what the edge sees every {@code window} (see {@link Telemetry}) to {@code sink}, from
     * the telemetry's own thread: traffic by method and response class, drops, dialogs, and the
     * heaviest sources.
     */
    public synchronized void startTelemetry(java.time.Duration window, Consumer<dev.d2r2.core.Event> sink) {
        if (telemetry != null) {
            throw new IllegalStateException("telemetry already runs");
        }
        Telemetry t = new Telemetry(dev.d2r2.core.Clock.system(), window.toMillis(), sink, () -> backends,
                new Suspects(suspectRate, 1000, "edge"), dialogs::size);
        telemetry = t;
        telemetryRunner = new dev.d2r2.core.agent.AgentRunner(t, 16, dev.d2r2.core.Clock.system()).start();
    }

    /** Stops the telemetry, if it runs. */
    public synchronized void stopTelemetry() {
        if (telemetryRunner != null) {
            try {
                telemetryRunner.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            telemetryRunner = null;
        }
    }

    /** From how many INVITEs a second a source is suspect (default {@value #DEFAULT_SUSPECT_RATE}); set before the telemetry starts. */
    public void suspectRate(double perSecond) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("the suspect rate must be positive");
        }
        this.suspectRate = perSecond;
    }

    /** The last telemetry window's traffic (see {@link Telemetry}); null without telemetry or before its first window. */
    public dev.d2r2.sip.events.EdgeTraffic lastWindow() {
        Telemetry t = telemetry;
        return t == null ? null : t.last();
    }

    /** How new dialogs are placed (default: by Call-ID). */
    public void affinity(Affinity a) {
        this.affinity = a;
    }

    /** Registers the edge's Prometheus metrics (see {@link EdgeMetrics}). */
    public void registerMetrics(io.prometheus.metrics.model.registry.PrometheusRegistry registry) {
        metrics = new EdgeMetrics(registry, this);
    }

    /** The blocks and rate limits the edge enforces. */
    public Enforcement enforcement() {
        return enforcement;
    }

    public List<Backend> backends() {
        return backends;
    }

    /** Counters by name: {@code received}, {@code forwarded.request}, {@code forwarded.response}, {@code answered.400}, {@code dropped.<why>}... */
    public Map<String, Long> counters() {
        return counters.snapshot();
    }

    /** Dialogs established (INVITE answered 2xx) and not yet ended by a BYE. */
    public int activeDialogs() {
        return dialogs.size();
    }

    private void count(String name) {
        counters.count(name);
    }

    private void run() {
        ByteBuffer in = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 1);
        ByteBuffer out = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 4096);
        while (running) {
            try {
                in.clear();
                SocketAddress from = channel.receive(in);
                if (from == null) {
                    continue;
                }
                count("received");
                long started = System.nanoTime();
                handle(in.array(), in.position(), (InetSocketAddress) from, out);
                EdgeMetrics m = metrics;
                if (m != null) {
                    m.handled(System.nanoTime() - started);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                count("errors");
                LOG.warn("edge: a message failed: {}", e.toString());
            }
        }
    }

    private void handle(byte[] buf, int len, InetSocketAddress from, ByteBuffer out) throws IOException {
        if (len > SipParser.MAX_MESSAGE) {
            count("dropped.too_large");
            return;
        }
        dispatch(SipParser.datagram(buf, 0, len), new Source(from, null, backendAt(from)), out);
    }

    private void accept() {
        while (running) {
            try {
                java.nio.channels.SocketChannel c = tcp.accept();
                TcpConnection conn = new TcpConnection(connectionIds.incrementAndGet(), c);
                connections.put(conn.id, conn);
                count("tcp.accepted");
                Thread.ofVirtual().name("d2r2-edge-tcp-" + conn.id).start(() -> read(conn));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                count("errors");
            }
        }
    }

    /** Reads a connection's stream and handles each message as soon as its body is complete. */
    private void read(TcpConnection conn) {
        ByteBuffer in = ByteBuffer.allocate(2 * SipParser.MAX_MESSAGE);
        ByteBuffer out = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 4096);
        try (conn) {
            while (running && conn.channel.read(in) >= 0) {
                int off = 0;
                while (true) {
                    SipMessage m = SipParser.stream(in.array(), off, in.position() - off);
                    if (m == SipParser.INCOMPLETE) {
                        break;
                    }
                    count("received");
                    long started = System.nanoTime();
                    dispatch(m, new Source(conn.remote, conn, null), out);
                    EdgeMetrics em = metrics;
                    if (em != null) {
                        em.handled(System.nanoTime() - started);
                    }
                    if (m.malformation() != null) {
                        count("tcp.closed_on_framing_error");
                        return;
                    }
                    off = m.end();
                }
                in.limit(in.position()).position(off);
                in.compact();
                if (!in.hasRemaining()) {
                    count("dropped.too_large");
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            count("tcp.errors");
        } finally {
            connections.remove(conn.id);
        }
    }

    private void dispatch(SipMessage m, Source source, ByteBuffer out) throws IOException {
        InetSocketAddress from = source.address();
        Verdict v = SipChecks.check(m);
        Telemetry t = telemetry;
        if (t != null && m.isRequest() && m.malformation() == null && source.backend() == null) {
            t.request(m, from.getAddress());
        }
        switch (v.kind()) {
            case DROP -> {
                count("dropped." + v.why().replace(' ', '_'));
                if (t != null) {
                    t.dropped();
                }
            }
            case RESPOND -> answer(m, out, v.status(), v.reason(),
                    v.unsupported() == null ? null : "Unsupported: " + v.unsupported(), source);
            case FORWARD -> {
                if (m.isRequest()) {
                    request(m, source, out);
                } else if (source.connection() == null) {
                    response(m, source, out);
                } else {
                    count("dropped.response_from_client");
                }
            }
        }
    }

    private void request(SipMessage m, Source origin, ByteBuffer out) throws IOException {
        InetSocketAddress from = origin.address();
        TcpConnection client = origin.connection();
        Backend source = origin.backend();
        if (source == null) {
            String refusal = enforcement.refusal(from, m);
            if (refusal != null) {
                count("dropped." + refusal);
                Telemetry t = telemetry;
                if (t != null) {
                    t.dropped();
                }
                return;
            }
        }
        if (source == null && m.methodIs("ACK")) {
            confirm(m.first(Header.CALL_ID));
        }
        int routeIndex = firstHeader(m, Header.ROUTE);
        String firstRoute = routeIndex < 0 ? null : firstEntry(m.value(routeIndex));
        boolean routeIsOurs = firstRoute != null && firstRoute.contains("sip:" + advertised) && firstRoute.contains(BACKEND_PARAM);
        InetSocketAddress next;
        TcpConnection nextConnection = null;
        Backend to = null;
        byte[] recordRoute = null;
        if (source != null) {
            String after = routeIsOurs ? secondEntry(m, routeIndex) : firstRoute;
            next = after != null ? Hop.ofUri(after) : Hop.ofUri(m.requestUri());
            String connection = routeIsOurs ? Hop.param(firstRoute, "d2r2-c") : null;
            if (connection != null && SipParser.digits(connection, 18)) {
                nextConnection = connections.get(Long.parseLong(connection));
                if (nextConnection == null) {
                    count("dropped.connection_gone");
                    return;
                }
            }
        } else {
            InetSocketAddress dialogBackend = routeIsOurs ? Hop.hostPort(Hop.param(firstRoute, "d2r2-b"), 5060) : null;
            boolean inDialog = m.first(Header.TO).contains(";tag=");
            Dialog known = dialogBackend != null || !inDialog ? null : dialogs.get(m.first(Header.CALL_ID));
            Backend target = known == null ? null : known.backend();
            Backend named = dialogBackend != null ? backendAt(dialogBackend) : target;
            if (inDialog && named != null && !named.up()) {
                Backend instead = byAffinity(m, false);
                if (instead != null) {
                    count("failover.in_dialog");
                    dialogBackend = null;
                    target = instead;
                }
            }
            if (dialogBackend == null && target == null) {
                target = byAffinity(m, !inDialog && !m.methodIs("CANCEL") && !m.methodIs("ACK"));
            }
            if (dialogBackend == null && target == null) {
                answer(m, out, 503, "Service Unavailable", "Retry-After: 5", origin);
                return;
            }
            next = dialogBackend != null ? dialogBackend : target.address();
            to = dialogBackend != null ? named : target;
            if (!inDialog && dialogForming(m.method())) {
                recordRoute = ("<sip:" + advertised + ";lr" + BACKEND_PARAM + target.id()
                        + (client == null ? "" : CONNECTION_PARAM + client.id) + ">").getBytes(StandardCharsets.US_ASCII);
            }
        }
        if (next == null && nextConnection == null) {
            answer(m, out, 404, "Not Found", null, origin);
            return;
        }
        String mf = m.first(Header.MAX_FORWARDS);
        int maxForwards = mf == null ? 70 : Integer.parseInt(mf) - 1;
        SipWriter.request(m, out, via(m, nextConnection != null ? "TCP" : "UDP", client), recordRoute,
                routeIsOurs ? routeIndex : -1, maxForwards);
        if (nextConnection != null) {
            nextConnection.write(out);
        } else {
            send(out, next);
        }
        count("forwarded.request");
        if (to != null && !m.methodIs("ACK") && to.awaitingSince == 0) {
            to.awaitingSince = System.currentTimeMillis();
        }
    }

    /** Answers a request statelessly. */
    private void answer(SipMessage m, ByteBuffer out, int status, String reason, String extraHeader, Source to)
            throws IOException {
        count("answered." + status);
        Telemetry t = telemetry;
        if (t != null) {
            t.response(status);
        }
        SipWriter.answer(m, out, status, reason, "d2r2-edge", extraHeader);
        if (to.connection() != null) {
            to.connection().write(out);
        } else {
            send(out, to.address());
        }
    }

    private void response(SipMessage m, Source origin, ByteBuffer out) throws IOException {
        Backend from = origin.backend();
        List<String> vias = m.all(Header.VIA);
        String branch = Hop.param(vias.getFirst(), "branch");
        if (vias.size() == 1 && branch != null && branch.startsWith(Prober.BRANCH) && vias.getFirst().contains(advertised)) {
            if (from != null) {
                Prober.answered(from, branch, m.status());
            }
            count("probe.answers");
            return;
        }
        if (!vias.getFirst().contains(advertised) || vias.size() < 2) {
            count("dropped.not_our_via");
            return;
        }
        String connection = Hop.param(vias.getFirst(), "d2r2-c");
        TcpConnection client = connection != null && SipParser.digits(connection, 18) ? connections.get(Long.parseLong(connection)) : null;
        if (connection != null && client == null) {
            count("dropped.connection_gone");
            return;
        }
        InetSocketAddress next = client != null ? client.remote : Hop.ofVia(vias.get(1));
        if (next == null) {
            count("dropped.bad_via");
            return;
        }
        if (from != null) {
            observe(from, m, vias.getFirst());
        }
        track(m, from);
        SipWriter.response(m, out);
        if (client != null) {
            client.write(out);
        } else {
            send(out, next);
        }
        count("forwarded.response");
        Telemetry t = telemetry;
        if (t != null) {
            t.response(m.status());
        }
    }

    /** What a backend's answer says of its health: 503s in a row, and RFC 7339 overload feedback in the edge's Via. */
    private void observe(Backend b, SipMessage m, String ourVia) {
        b.awaitingSince = 0;
        if (m.status() == 503) {
            if (++b.consecutive503 >= 3 && b.markDown()) {
                report(new BackendEvent(b, "down", "3 answers 503 in a row"));
            }
        } else {
            b.consecutive503 = 0;
        }
        String oc = Hop.param(ourVia, "oc");
        if (oc != null && SipParser.digits(oc, 3)) {
            String validity = Hop.param(ourVia, "oc-validity");
            long ms = validity != null && SipParser.digits(validity, 9) ? Long.parseLong(validity) : 500;
            b.ocPercent = Math.min(100, Integer.parseInt(oc));
            b.ocUntil = System.currentTimeMillis() + ms;
        }
    }

    private void released(Backend b, String why) {
        if (b.dialogs.decrementAndGet() == 0 && b.draining) {
            report(new BackendEvent(b, "drained", why));
        }
    }

    /** How long a dialog without a BYE is tracked (default 2 h): then it counts as ended ({@code dialogs.timed_out}). */
    public void dialogTimeout(java.time.Duration d) {
        dialogTimeoutMs = d.toMillis();
    }

    /** How long a dialog's 2xx may stay unacknowledged (default 32 s, 64 × T1). */
    void ackTimeout(java.time.Duration d) {
        ackTimeoutMs = d.toMillis();
    }

    private void confirm(String callId) {
        Dialog d = dialogs.get(callId);
        if (d != null && !d.confirmed()) {
            dialogs.replace(callId, d, new Dialog(d.backend(), d.since(), true));
        }
    }

    /**
     * Ends the dialogs older than the dialog timeout ({@code dialogs.timed_out}), and those whose
     * 2xx was never acknowledged within 32 s ({@code dialogs.unacknowledged}: a flood does not
     * ACK, and RFC 3261 §13.3.1.4 has the server give up then); checked every second (or tenth
     * of the timeout).
     */
    private void sweep() {
        try {
            while (running) {
                Thread.sleep(Math.min(1000, Math.max(10, Math.min(dialogTimeoutMs, ackTimeoutMs) / 10)));
                long now = System.currentTimeMillis();
                long cutoff = now - dialogTimeoutMs;
                long unacknowledged = now - ackTimeoutMs;
                dialogs.forEach((callId, d) -> {
                    boolean stale = d.since() < cutoff;
                    boolean unconfirmed = !d.confirmed() && d.since() < unacknowledged;
                    if ((stale || unconfirmed) && dialogs.remove(callId, d)) {
                        count(stale ? "dialogs.timed_out" : "dialogs.unacknowledged");
                        released(d.backend(), stale ? "its last dialog timed out" : "its last dialog was never acknowledged");
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** INVITE 2xx from a backend opens a dialog; BYE 2xx closes it. */
    private void track(SipMessage m, Backend from) {
        if (m.status() < 200 || m.status() >= 300) {
            return;
        }
        String cseq = m.first(Header.CSEQ);
        String callId = m.first(Header.CALL_ID);
        if (cseq.endsWith(" INVITE")) {
            if (from != null && dialogs.putIfAbsent(callId, new Dialog(from, System.currentTimeMillis(), false)) == null) {
                from.dialogs.incrementAndGet();
                count("dialogs.started");
                count("dialogs.started." + from.id());
            }
        } else if (cseq.endsWith(" BYE")) {
            Dialog d = dialogs.remove(callId);
            if (d != null) {
                count("dialogs.ended");
                released(d.backend(), "its last dialog ended");
            }
        }
    }

    /**
     * The edge's Via: {@code transport} it sends on, a branch derived from the incoming one, and
     * for a request from a TCP client the connection its answers go back on.
     */
    private byte[] via(SipMessage m, String transport, TcpConnection client) {
        String top = m.all(Header.VIA).getFirst();
        String branch = Hop.param(top, "branch");
        long h = branch != null && branch.startsWith("z9hG4bK")
                ? Rendezvous.hash(branch)
                : Rendezvous.hash(top + '\n' + m.first(Header.CALL_ID) + '\n' + m.first(Header.CSEQ).split("\\s+")[0]);
        return ("SIP/2.0/" + transport + " " + advertised + ";branch=z9hG4bK" + Long.toHexString(h ^ secret) + ";oc"
                + (client == null ? "" : CONNECTION_PARAM + client.id)).getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean dialogForming(String method) {
        return method.equals("INVITE") || method.equals("SUBSCRIBE") || method.equals("REFER");
    }

    /**
     * The affinity key's backend among those up (for {@link Affinity#LEAST_DIALOGS}, the least
     * loaded for its weight). A new dialog skips draining and saturated backends and those
     * shedding load (RFC 7339 {@code oc}), in that order of preference; null when none is left.
     */
    private Backend byAffinity(SipMessage m, boolean newDialog) {
        Affinity a = affinity;
        long key = Rendezvous.hash(a.key(m));
        List<Backend> ranked = new java.util.ArrayList<>(backends.size());
        for (Backend b : backends) {
            if (b.up() && !(newDialog && b.draining)) {
                ranked.add(b);
            }
        }
        java.util.Comparator<Backend> byScore = java.util.Comparator.comparingDouble((Backend b) -> b.score(key)).reversed();
        ranked.sort(a == Affinity.LEAST_DIALOGS && newDialog
                ? java.util.Comparator.comparingDouble((Backend b) -> b.activeDialogs() / b.weight()).thenComparing(byScore)
                : byScore);
        int n = ranked.size();
        if (!newDialog) {
            return n == 0 ? null : ranked.getFirst();
        }
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            Backend b = ranked.get(i);
            if (b.saturated()) {
                continue;
            }
            int oc = b.ocUntil > now ? b.ocPercent : 0;
            if (oc > 0 && java.util.concurrent.ThreadLocalRandom.current().nextInt(100) < oc) {
                continue;
            }
            return b;
        }
        if (n > 0) {
            count("admission.refused");
        }
        return null;
    }

    private Backend byId(String id) {
        for (Backend b : backends) {
            if (b.id().equals(id)) {
                return b;
            }
        }
        return null;
    }

    private Backend backendAt(InetSocketAddress a) {
        for (Backend b : backends) {
            if (b.address().equals(a)) {
                return b;
            }
        }
        return null;
    }

    private static int firstHeader(SipMessage m, Header h) {
        for (int i = 0; i < m.headerCount(); i++) {
            if (m.kind(i) == h) {
                return i;
            }
        }
        return -1;
    }

    private static String firstEntry(String value) {
        java.util.List<String> entries = new java.util.ArrayList<>();
        SipMessage.splitList(value, entries);
        return entries.getFirst();
    }

    /** The Route entry after the edge's own: the rest of its header line, else the next Route line. */
    private static String secondEntry(SipMessage m, int routeIndex) {
        java.util.List<String> entries = new java.util.ArrayList<>();
        SipMessage.splitList(m.value(routeIndex), entries);
        if (entries.size() > 1) {
            return entries.get(1);
        }
        for (int i = routeIndex + 1; i < m.headerCount(); i++) {
            if (m.kind(i) == Header.ROUTE) {
                return firstEntry(m.value(i));
            }
        }
        return null;
    }

    private void send(ByteBuffer out, InetSocketAddress to) throws IOException {
        out.flip();
        channel.send(out, to);
    }

    @Override
    public void close() throws IOException {
        try {
            prober.close();
            running = false;
            stopTelemetry();
            channel.close();
            tcp.close();
            connections.values().forEach(TcpConnection::close);
            sweeper.interrupt();
            loop.join();
            acceptor.join();
            sweeper.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
