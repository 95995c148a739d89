package dev.d2r2.overlay.route;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.overlay.events.PathState;
import dev.d2r2.overlay.events.PathState.State;
import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.overlay.route.RoutePacket.Type;
import dev.d2r2.overlay.wire.MalformedPacket;
import dev.d2r2.overlay.wire.PacketAuth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A route-around agent (ResumeNet D3.1c §3.4 and §5.3): answers reachability probes, takes part
 * in limited floods ({@link Flooding}) and relays tunnel traffic. Given a destination agent, it
 * also watches the direct path with UDP probes; when {@code downAfter} go unanswered in a row it
 * floods a reachability check with its ping contingent, takes the first peer that reports the
 * destination reachable as relay and sends the tunnel's traffic through it; when the direct path
 * answers {@code upAfter} probes in a row again, the relay is withdrawn. Each change is an
 * {@code overlay.path} event.
 *
 * <p>The tunnel is UDP encapsulation behind one local socket (the entrance): datagrams an
 * application sends there reach the destination agent (DATA to the relay, DELIVER from the relay
 * or directly), which hands them to its local service port and wraps the service's answers back
 * (RETURN) the same way.
 */
public final class RouteAgent implements Agent, AutoCloseable {
    /**
     * @param listen      the agent's UDP address
     * @param neighbours  its overlay neighbours (the flood's first hops)
     * @param destination the destination agent to watch and tunnel to, or null
     * @param servicePort the destination's local service port the tunnel delivers to
     * @param entrance    the local socket applications send tunnel traffic to, or null
     * @param contingent  the ping contingent of a flood
     */
    public record Settings(InetSocketAddress listen, byte[] networkKey, List<InetSocketAddress> neighbours,
                           InetSocketAddress destination, int servicePort, InetSocketAddress entrance, int contingent,
                           Duration probeEvery, int downAfter, int upAfter, Duration floodTimeout) {
    }

    private enum Side { OVERLAY, ENTRANCE }

    private record Datagram(Side side, InetSocketAddress from, byte[] bytes) {
    }

    private record Status(CompletableFuture<Map<String, Long>> result) {
    }

    private record Session(InetSocketAddress hop, InetSocketAddress service) {
    }

    private record Cached(long floodId, GetResult result, Throwable error) {
    }

    /** How long a relay named by the DHT's cache has to answer before the source floods. */
    private static final long CACHE_WAIT_MS = 300;

    private static final int INBOX = 4096;
    private static final int MAX_SESSIONS = 1024;
    /** A received check's contingent is cut to this, whatever the sender asked for. */
    private static final int MAX_CONTINGENT = 1024;

    private final Settings settings;
    private final Clock clock;
    private final Consumer<Event> events;
    private final PacketAuth auth;
    private final DatagramChannel channel;
    private final DatagramChannel entrance;
    private final InetSocketAddress self;
    private final Flooding flooding;
    private final OverlayNode dht;
    private final RelayDirectory directory;
    /** Floods this agent probed for, and their destinations: what a relay learns into the DHT. */
    private final Map<Long, InetSocketAddress> probing = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, InetSocketAddress> eldest) {
            return size() > 1024;
        }
    };
    private boolean fromCache;
    private final SecureRandom random = new SecureRandom();
    private final ByteBuffer out = ByteBuffer.allocate(RoutePacket.MAX);
    private final Map<String, Long> counters = new TreeMap<>();
    private final AtomicLong inboxFull = new AtomicLong();
    /** Relay: session → the agent it came from. Destination: session → where to return, and the service. */
    private final Map<Long, Session> sessions = new HashMap<>();
    private final Map<InetSocketAddress, Long> byService = new HashMap<>();
    private final long session;
    private InetSocketAddress application;
    private State state = State.DIRECT;
    private InetSocketAddress relay;
    private long directSeq;
    private boolean directAnswered = true;
    private int misses;
    private int answers;
    private long brokeAt;
    private long floodId;
    private long floodDeadline = Long.MAX_VALUE;
    private long nextProbe;
    private final AgentRunner runner;
    private final List<Thread> receivers = new ArrayList<>();

    private RouteAgent(Settings settings, OverlayNode dht, Consumer<Event> events, Clock clock) throws IOException {
        this.settings = settings;
        this.dht = dht;
        this.directory = dht == null ? null : new RelayDirectory(settings.networkKey());
        this.clock = clock;
        this.events = events;
        this.auth = new PacketAuth(settings.networkKey(), Duration.ofSeconds(30).toMillis());
        this.channel = DatagramChannel.open().bind(settings.listen());
        this.self = (InetSocketAddress) channel.getLocalAddress();
        this.entrance = settings.entrance() == null ? null : DatagramChannel.open().bind(settings.entrance());
        this.flooding = new Flooding(settings.neighbours(), new Flooding.Out() {
            @Override
            public void check(InetSocketAddress to, long id, InetSocketAddress origin, InetSocketAddress destination, int contingent) {
                sendCheck(to, id, origin, destination, contingent);
            }

            @Override
            public void probe(InetSocketAddress destination, long id) {
                probing.put(id, destination);
                sendProbe(destination, id);
                count("flood.probes");
            }
        });
        this.session = random.nextLong();
        this.nextProbe = clock.millis();
        this.runner = new AgentRunner(this, INBOX, clock);
    }

    public static RouteAgent start(Settings settings, Consumer<Event> events, Clock clock) throws IOException {
        return start(settings, null, events, clock);
    }

    /** With a DHT node ({@code dht}, or null): relays learn themselves into it, and a source looks there before it floods. */
    public static RouteAgent start(Settings settings, OverlayNode dht, Consumer<Event> events, Clock clock) throws IOException {
        RouteAgent a = new RouteAgent(settings, dht, events, clock);
        a.runner.start();
        a.receivers.add(a.receiver(Side.OVERLAY, a.channel));
        if (a.entrance != null) {
            a.receivers.add(a.receiver(Side.ENTRANCE, a.entrance));
        }
        return a;
    }

    @Override
    public String roleName() {
        return "route-" + self.getPort();
    }

    public InetSocketAddress address() {
        return self;
    }

    /** The tunnel's entrance as bound, or null. */
    public InetSocketAddress entranceAddress() {
        try {
            return entrance == null ? null : (InetSocketAddress) entrance.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    public CompletableFuture<Map<String, Long>> counters() {
        Status s = new Status(new CompletableFuture<>());
        runner.deliver(s);
        return s.result();
    }

    private Thread receiver(Side side, DatagramChannel ch) {
        return Thread.ofPlatform().name("d2r2-route-rx-" + side).daemon().start(() -> {
            ByteBuffer buffer = ByteBuffer.allocateDirect(RoutePacket.MAX + 1);
            while (ch.isOpen()) {
                try {
                    buffer.clear();
                    InetSocketAddress from = (InetSocketAddress) ch.receive(buffer);
                    buffer.flip();
                    byte[] bytes = new byte[buffer.remaining()];
                    buffer.get(bytes);
                    if (!runner.offer(new Datagram(side, from, bytes))) {
                        inboxFull.incrementAndGet();
                    }
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    runner.errors().error("receive", roleName() + ": receive failed: " + e, null);
                }
            }
        });
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Datagram d when d.side() == Side.ENTRANCE -> fromApplication(d);
            case Datagram d -> fromOverlay(d);
            case Cached c -> onCached(c);
            case Status s -> {
                Map<String, Long> snapshot = new TreeMap<>(counters);
                snapshot.put("dropped.inbox-full", inboxFull.get());
                snapshot.put("flood.duplicates", flooding.duplicates());
                s.result().complete(Map.copyOf(snapshot));
            }
            default -> throw new IllegalArgumentException("not a route agent message: " + message);
        }
    }

    private void fromOverlay(Datagram d) {
        Long serviceSession = byService.get(d.from());
        if (serviceSession != null) {
            Session s = sessions.get(serviceSession);
            sendTunnel(Type.RETURN, s.hop(), serviceSession, null, 0, d.bytes(), d.bytes().length);
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(d.bytes());
        try {
            Type type = RoutePacket.open(in, auth, clock.millis());
            switch (type) {
                case PROBE -> {
                    RoutePacket.begin(out, Type.PROBE_ACK, clock.millis());
                    out.putLong(RoutePacket.readLong(in));
                    send(d.from());
                }
                case PROBE_ACK -> onProbeAck(d.from(), RoutePacket.readLong(in));
                case CHECK -> {
                    long id = RoutePacket.readLong(in);
                    InetSocketAddress origin = RoutePacket.readAddress(in);
                    InetSocketAddress destination = RoutePacket.readAddress(in);
                    flooding.onCheck(d.from(), id, origin, destination, Math.min(RoutePacket.readInt(in), MAX_CONTINGENT));
                }
                case REACH -> onReach(d.from(), RoutePacket.readLong(in));
                case DATA -> {
                    long id = RoutePacket.readLong(in);
                    InetSocketAddress destination = RoutePacket.readAddress(in);
                    int port = RoutePacket.readPort(in);
                    byte[] payload = RoutePacket.readPayload(in);
                    remember(id, new Session(d.from(), null));
                    count("relayed.out");
                    sendTunnel(Type.DELIVER, destination, id, null, port, payload, payload.length);
                }
                case DELIVER -> {
                    long id = RoutePacket.readLong(in);
                    int port = RoutePacket.readPort(in);
                    byte[] payload = RoutePacket.readPayload(in);
                    InetSocketAddress service = new InetSocketAddress(self.getAddress(), port);
                    remember(id, new Session(d.from(), service));
                    byService.put(service, id);
                    count("delivered");
                    sendRaw(channel, service, payload);
                }
                case RETURN -> {
                    long id = RoutePacket.readLong(in);
                    byte[] payload = RoutePacket.readPayload(in);
                    onReturn(id, payload);
                }
            }
        } catch (MalformedPacket e) {
            count("dropped." + e.reason().name().toLowerCase(Locale.ROOT));
        }
    }

    private void remember(long id, Session s) {
        if (sessions.size() >= MAX_SESSIONS && !sessions.containsKey(id)) {
            count("dropped.sessions-full");
            return;
        }
        sessions.put(id, s);
    }

    private void onReturn(long id, byte[] payload) {
        if (id == session && application != null && entrance != null) {
            count("tunnel.in");
            sendRaw(entrance, application, payload);
            return;
        }
        Session s = sessions.get(id);
        if (s != null && s.service() == null) {
            count("relayed.back");
            sendTunnel(Type.RETURN, s.hop(), id, null, 0, payload, payload.length);
        } else {
            count("dropped.unknown-session");
        }
    }

    private void fromApplication(Datagram d) {
        if (settings.destination() == null || d.bytes().length > RoutePacket.MAX_PAYLOAD) {
            count("dropped.entrance");
            return;
        }
        application = d.from();
        count("tunnel.out");
        if (relay != null) {
            sendTunnel(Type.DATA, relay, session, settings.destination(), settings.servicePort(), d.bytes(), d.bytes().length);
        } else {
            sendTunnel(Type.DELIVER, settings.destination(), session, null, settings.servicePort(), d.bytes(), d.bytes().length);
        }
    }

    // ---- watching the direct path, flooding for a relay

    @Override
    public long nextDueMillis() {
        return settings.destination() == null ? Long.MAX_VALUE : Math.min(nextProbe, floodDeadline);
    }

    @Override
    public void onTimer(long now) {
        if (now >= floodDeadline) {
            count(fromCache ? "cache.timeouts" : "flood.timeouts");
            flood(now);
        }
        if (now < nextProbe) {
            return;
        }
        nextProbe = now + settings.probeEvery().toMillis();
        if (!directAnswered) {
            answers = 0;
            if (++misses == settings.downAfter() && state == State.DIRECT) {
                brokeAt = now;
                change(State.DOWN, null, now);
                if (dht != null) {
                    lookUpCachedRelay(now);
                } else {
                    flood(now);
                }
            }
        }
        directAnswered = false;
        directSeq++;
        sendProbe(settings.destination(), directSeq);
    }

    /** Phase 1: a relay that reached the destination before, from the DHT; the flood waits {@link #CACHE_WAIT_MS}. */
    private void lookUpCachedRelay(long now) {
        floodId = random.nextLong();
        fromCache = true;
        floodDeadline = now + CACHE_WAIT_MS;
        long id = floodId;
        dht.get(directory.keyFor(settings.destination())).whenComplete((r, e) -> runner.deliver(new Cached(id, r, e)));
    }

    private void onCached(Cached c) {
        if (c.floodId() != floodId || !fromCache || state != State.DOWN) {
            return;
        }
        InetSocketAddress cached = c.error() == null && c.result().value() != null ? RelayDirectory.relayOf(c.result().value()) : null;
        if (cached == null || cached.equals(self)) {
            count("cache.misses");
            flood(clock.millis());
            return;
        }
        count("cache.hits");
        sendCheck(cached, floodId, self, settings.destination(), 1);
    }

    private void flood(long now) {
        fromCache = false;
        floodId = random.nextLong();
        floodDeadline = now + settings.floodTimeout().toMillis();
        count("floods");
        flooding.start(floodId, self, settings.destination(), settings.contingent());
    }

    private void onProbeAck(InetSocketAddress from, long id) {
        if (from.equals(settings.destination()) && id == directSeq && !directAnswered) {
            directAnswered = true;
            misses = 0;
            if (++answers >= settings.upAfter() && state != State.DIRECT) {
                floodDeadline = Long.MAX_VALUE;
                change(State.DIRECT, null, clock.millis());
            }
            return;
        }
        InetSocketAddress origin = flooding.originOf(id);
        if (origin != null && !origin.equals(self)) {
            count("flood.reached");
            InetSocketAddress destination = probing.get(id);
            if (dht != null && destination != null) {
                dht.put(directory.record(destination, self, clock.millis()));
            }
            RoutePacket.begin(out, Type.REACH, clock.millis());
            out.putLong(id);
            send(origin);
        }
    }

    private void onReach(InetSocketAddress from, long id) {
        if (id != floodId || state != State.DOWN) {
            count("reach.late");
            return;
        }
        floodDeadline = Long.MAX_VALUE;
        count(fromCache ? "relayed.from-cache" : "relayed.from-flood");
        change(State.RELAYED, from, clock.millis());
    }

    private void change(State to, InetSocketAddress newRelay, long now) {
        State was = state;
        state = to;
        relay = newRelay;
        count("path." + to.label());
        events.accept(new PathState(now, hostPort(self), hostPort(settings.destination()), was, to,
                newRelay == null ? "" : hostPort(newRelay), to == State.RELAYED ? (fromCache ? "cache" : "flood") : "",
                to == State.RELAYED ? now - brokeAt : 0).toEvent());
    }

    // ---- sending

    private void sendProbe(InetSocketAddress to, long id) {
        RoutePacket.begin(out, Type.PROBE, clock.millis());
        out.putLong(id);
        send(to);
    }

    private void sendCheck(InetSocketAddress to, long id, InetSocketAddress origin, InetSocketAddress destination, int contingent) {
        RoutePacket.begin(out, Type.CHECK, clock.millis());
        out.putLong(id);
        RoutePacket.address(out, origin);
        RoutePacket.address(out, destination);
        out.putInt(contingent);
        send(to);
    }

    private void sendTunnel(Type type, InetSocketAddress to, long id, InetSocketAddress destination, int port, byte[] payload, int length) {
        RoutePacket.begin(out, type, clock.millis());
        out.putLong(id);
        if (type == Type.DATA) {
            RoutePacket.address(out, destination);
        }
        if (type != Type.RETURN) {
            out.putShort((short) port);
        }
        RoutePacket.payload(out, payload, length);
        send(to);
    }

    /** Seals the route packet in {@link #out} and sends it. */
    private void send(InetSocketAddress to) {
        RoutePacket.end(out, auth);
        try {
            channel.send(out, to);
        } catch (IOException e) {
            count("send.failed");
        }
    }

    /** A tunnel's payload as the application or service sent it. */
    private void sendRaw(DatagramChannel ch, InetSocketAddress to, byte[] payload) {
        out.clear();
        out.put(payload).flip();
        try {
            ch.send(out, to);
        } catch (IOException e) {
            count("send.failed");
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private void count(String name) {
        counters.merge(name, 1L, Long::sum);
    }

    @Override
    public void onClose() throws IOException {
        channel.close();
        if (entrance != null) {
            entrance.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
        try {
            channel.close();
            if (entrance != null) {
                entrance.close();
            }
        } catch (IOException e) {
            runner.errors().error("close", roleName() + ": close failed: " + e, null);
        }
        for (Thread t : receivers) {
            t.join(Duration.ofSeconds(5));
        }
    }
}
