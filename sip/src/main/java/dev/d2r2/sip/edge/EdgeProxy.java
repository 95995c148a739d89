package dev.d2r2.sip.edge;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.sip.events.EdgeTraffic;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The SIP edge: a stateless proxy over UDP and TCP (see {@link Router} for where messages go),
 * assembled from its parts — the transports ({@link UdpTransport}, {@link TcpTransport}), the
 * {@link BackendSet}, the {@link Dialogs} table, the {@link Enforcement} of blocks and rate
 * limits, the {@link Prober}, the {@link Telemetry} and the declared {@link EdgeCounter}s. The
 * prober, the dialog sweep and the telemetry each run as an agent on the injected {@link Clock}.
 */
public final class EdgeProxy implements AutoCloseable {
    static final double DEFAULT_SUSPECT_RATE = 30;
    /**
     * One UDP socket and thread per two cores: the edge shares its machine with the servers, the
     * monitor and its own JVM, and on 2 cores a second busy receive loop starves them (the demo's
     * metrics scrapes time out under a flood) for no gain in CPU per call.
     */
    private static final int PORT_ATTEMPTS = 20;
    public static final int DEFAULT_RECEIVERS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    /** Hears how long each message took to handle, for the metrics. */
    interface Observer {
        void handled(long nanos);
    }

    private final Clock clock;
    private final EdgeCounters counters = new EdgeCounters();
    private final BackendSet backends;
    private final Dialogs dialogs;
    private final Enforcement enforcement;
    private final Router router;
    private final UdpTransport udp;
    private final TcpTransport tcp;
    private final AgentRunner prober;
    private final AgentRunner sweeper;
    private volatile EdgeMetrics metrics;
    private volatile double suspectRate = DEFAULT_SUSPECT_RATE;
    private Telemetry telemetry;
    private AgentRunner telemetryRunner;

    /** An edge probing its backends every 500 ms with a 300 ms timeout; {@code changes} hears when one goes down or up. */
    public EdgeProxy(InetSocketAddress listen, List<Backend> backends, Consumer<BackendEvent> changes) throws IOException {
        this(listen, backends, Duration.ofMillis(500), Duration.ofMillis(300), changes);
    }

    public EdgeProxy(InetSocketAddress listen, List<Backend> backends, Duration probeInterval, Duration probeTimeout,
                     Consumer<BackendEvent> changes) throws IOException {
        this(listen, backends, probeInterval, probeTimeout, changes, Clock.system(), DEFAULT_RECEIVERS);
    }

    /** @param receivers how many UDP sockets (and threads) share the port; default {@link #DEFAULT_RECEIVERS} */
    public EdgeProxy(InetSocketAddress listen, List<Backend> backends, Duration probeInterval, Duration probeTimeout,
                     Consumer<BackendEvent> changes, Clock clock, int receivers) throws IOException {
        this(listen, backends, probeInterval, probeTimeout, true, changes, clock, receivers);
    }

    /**
     * @param probe whether the backends are probed with OPTIONS; without probes, each is judged by
     *              its answers to requests alone (see {@link Prober}): for servers that do not answer OPTIONS
     */
    public EdgeProxy(InetSocketAddress listen, List<Backend> backends, Duration probeInterval, Duration probeTimeout,
                     boolean probe, Consumer<BackendEvent> changes, Clock clock, int receivers) throws IOException {
        if (receivers < 1) {
            throw new IllegalArgumentException("an edge needs at least one receiver, not " + receivers);
        }
        this.clock = clock;
        this.backends = new BackendSet(backends, clock, counters, changes);
        this.dialogs = new Dialogs(clock, counters, this.backends);
        this.enforcement = new Enforcement(clock);
        Observer observer = nanos -> {
            EdgeMetrics m = metrics;
            if (m != null) {
                m.handled(nanos);
            }
        };
        TcpTransport t;
        Router r;
        UdpTransport u;
        for (int attempt = 1; ; attempt++) {
            t = new TcpTransport(listen, clock, counters, observer);
            try {
                InetSocketAddress tcpAt = t.address();
                String advertised = (tcpAt.getAddress() instanceof java.net.Inet6Address ? "[" + tcpAt.getHostString() + "]"
                        : tcpAt.getHostString()) + ":" + tcpAt.getPort();
                r = new Router(advertised, this.backends, dialogs, enforcement, counters, t::isOpen);
                u = new UdpTransport(tcpAt, receivers, r, enforcement, this.backends, counters, t, observer);
                break;
            } catch (IOException | RuntimeException e) {
                close(t);
                // A port the kernel picked for TCP may already be some other socket's UDP port: pick another.
                if (!(e instanceof BindException) || listen.getPort() != 0 || attempt == PORT_ATTEMPTS) {
                    throw e;
                }
            }
        }
        this.tcp = t;
        this.router = r;
        this.udp = u;
        udp.start();
        tcp.start(router, udp);
        this.sweeper = new AgentRunner(dialogs, 16, clock).start();
        Prober health = new Prober(this.backends::all, probeInterval, probeTimeout, router.advertised(), this::probe,
                this.backends::report, counters);
        health.probing(probe);
        this.prober = new AgentRunner(health, 16, clock).start();
    }

    private static void close(TcpTransport t) throws IOException {
        try {
            t.close();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    private void probe(byte[] message, Backend to) {
        try {
            udp.send(ByteBuffer.wrap(message), to.address());
        } catch (IOException e) {
            counters.count(EdgeCounter.ERRORS);
        }
    }

    /** Adds a backend (or changes the weight of the one at the same address). */
    public Backend add(InetSocketAddress address, double weight) {
        return backends.add(address, weight);
    }

    /** Removes a backend at once: no new dialogs; its dialogs' in-dialog requests still reach it by their Route. */
    public boolean remove(String id) {
        return backends.remove(id);
    }

    /**
     * The backend {@code id} moved to {@code address} (a live migration): new dialogs go to the new
     * address at once, and so do the in-dialog requests of its dialogs, by their Record-Route or by
     * the dialog table. Null when there is no backend {@code id}.
     *
     * @throws IllegalArgumentException when a backend is at {@code address} already
     */
    public Backend move(String id, InetSocketAddress address) {
        Backend old = backends.byId(id);
        Backend fresh = backends.move(id, address);
        if (fresh != null) {
            dialogs.rehome(old, fresh);
        }
        return fresh;
    }

    /** Drains a backend: no new dialogs; {@code drained} is reported when its last dialog ends. */
    public boolean drain(String id) {
        return backends.drain(id);
    }

    public Backend backend(String id) {
        return backends.byId(id);
    }

    public InetSocketAddress address() throws IOException {
        return udp.address();
    }

    /** Datagrams the kernel dropped at the edge's full UDP sockets so far; -1 where it does not tell (not Linux). */
    public long udpReceiveDrops() {
        try {
            return UdpDrops.at(udp.address());
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Publishes what the edge sees every {@code window} (see {@link Telemetry}) to {@code sink}, from
     * the telemetry's own agent: traffic by method and response class, drops, dialogs, and the
     * heaviest sources.
     */
    public synchronized void startTelemetry(Duration window, Consumer<Event> sink) {
        if (telemetry != null) {
            throw new IllegalStateException("telemetry already runs");
        }
        Telemetry t = new Telemetry(clock, window.toMillis(), sink, backends::all, new Suspects(suspectRate, 1000, "edge"),
                dialogs::size);
        telemetry = t;
        router.telemetry(t);
        telemetryRunner = new AgentRunner(t, 16, clock).start();
    }

    /** Stops the telemetry, if it runs. */
    public synchronized void stopTelemetry() {
        if (telemetryRunner != null) {
            router.telemetry(null);
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
    public synchronized EdgeTraffic lastWindow() {
        return telemetry == null ? null : telemetry.last();
    }

    /** How new dialogs are placed (default: by Call-ID). */
    public void affinity(Affinity a) {
        router.affinity(a);
    }

    /** Registers the edge's Prometheus metrics (see {@link EdgeMetrics}). */
    public void registerMetrics(PrometheusRegistry registry) {
        metrics = new EdgeMetrics(registry, this);
    }

    Clock clock() {
        return clock;
    }

    /** The blocks and rate limits the edge enforces. */
    public Enforcement enforcement() {
        return enforcement;
    }

    public List<Backend> backends() {
        return backends.all();
    }

    /** Counters by name ({@link EdgeCounter}'s labels, {@code answered.<status>}, {@code dropped.<why>}, {@code dialogs.started.<backend>}); zeros left out. */
    public Map<String, Long> counters() {
        return counters.snapshot(backends.all());
    }

    /** Dialogs established (INVITE answered 2xx) and not yet ended by a BYE. */
    public int activeDialogs() {
        return dialogs.size();
    }

    /** How long a dialog without a BYE is tracked (default 2 h): then it counts as ended ({@code dialogs.timed_out}). */
    public void dialogTimeout(Duration d) {
        dialogs.dialogTimeoutMs(d.toMillis());
        sweeper.wake();
    }

    /** What clients' TCP connections may hold: connections in total and per source, the idle timeout (default {@link TcpLimits#DEFAULTS}). */
    public void tcpLimits(TcpLimits limits) {
        tcp.limits(limits);
    }

    public TcpLimits tcpLimits() {
        return tcp.limits();
    }

    /** Clients' TCP connections open now. */
    public int tcpConnections() {
        return tcp.connections();
    }

    /** Bytes the open TCP connections' read buffers hold (they start small and grow only for a message that needs it). */
    public long tcpReadBufferBytes() {
        return tcp.readBufferBytes();
    }

    /** How long a dialog's 2xx may stay unacknowledged (default 32 s, 64 × T1). */
    void ackTimeout(Duration d) {
        dialogs.ackTimeoutMs(d.toMillis());
        sweeper.wake();
    }

    @Override
    public void close() throws IOException {
        try {
            prober.close();
            stopTelemetry();
            udp.close();
            tcp.close();
            sweeper.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
