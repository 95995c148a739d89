package dev.d2r2.overlay.route;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.DatagramPump;
import dev.d2r2.overlay.events.PathState;
import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.events.PathState.State;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.overlay.route.RoutePacket.Type;
import dev.d2r2.overlay.wire.MalformedPacket;
import dev.d2r2.overlay.wire.PacketAuth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A route-around agent (ResumeNet D3.1c §3.4 and §5.3): answers reachability probes, takes part
 * in other agents' relay searches — limited flooding ({@link FloodSearch}) or WARP
 * ({@link WarpSearch}), one algorithm for the whole overlay — and relays tunnel traffic. Given a
 * destination agent, it also watches the direct path with UDP probes; when {@code downAfter} go
 * unanswered in a row the path is down, and it searches for a relay and sends the tunnel's
 * traffic through it; when the direct path answers {@code upAfter} probes in a row again, the
 * relay is withdrawn. Each change is an {@code overlay.path} event.
 *
 * <p>Under {@link Remediation#POLICY} the agent only detects: the search starts when the policy
 * engine orders a reroute ({@link #reroute}), and the relay is withdrawn when it revokes the
 * order (a path that answers again while relayed is announced as recovered).
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
     * @param algorithm   how relays are searched for
     * @param contingent  the ping contingent of a flood
     * @param warp        WARP's parameters
     * @param remediation who starts and ends a reroute
     */
    public record Settings(InetSocketAddress listen, byte[] networkKey, List<InetSocketAddress> neighbours,
                           InetSocketAddress destination, int servicePort, InetSocketAddress entrance, Algorithm algorithm,
                           int contingent, Duration floodTimeout, WarpConfig warp, Duration probeEvery, int downAfter, int upAfter,
                           Remediation remediation) {
    }

    /**
     * Overlay neighbours taken from the agent's DHT node: up to {@code count} of the nodes closest to
     * it (a lookup of its own id), each one's route agent taken to listen on its DHT node's host at
     * the DHT port + {@code portOffset} (the same offset on every host); looked up again every
     * {@code every}. The configured neighbours stay, first.
     */
    public record DhtNeighbours(int count, int portOffset, Duration every) {
    }

    /** The relay search every agent of an overlay runs. */
    public enum Algorithm { FLOODING, WARP }

    /** Who reroutes: the agent on its own probes, or the policy engine through {@link #reroute} and {@link #withdraw}. */
    public enum Remediation { AUTONOMOUS, POLICY }

    private enum Side { OVERLAY, ENTRANCE }

    private record Datagram(Side side, InetSocketAddress from, byte[] bytes) {
    }

    private record Status(CompletableFuture<Map<String, Long>> result) {
    }

    private record Session(InetSocketAddress hop, InetSocketAddress service) {
    }

    private record Order(boolean reroute, CompletableFuture<Boolean> accepted) {
    }

    private record FromDht(List<Contact> closest) {
    }

    private static final int INBOX = 4096;
    private static final int MAX_SESSIONS = 1024;

    private final Settings settings;
    private final Clock clock;
    private final Consumer<Event> events;
    private final PacketAuth auth;
    private final DatagramChannel channel;
    private final DatagramChannel entrance;
    private final InetSocketAddress self;
    private final RelaySearch search;
    private final OverlayNode dht;
    private final DhtNeighbours fromDht;
    private List<InetSocketAddress> neighbours;
    private long nextNeighbours;
    private final SecureRandom random = new SecureRandom();
    private final ByteBuffer out = ByteBuffer.allocate(RoutePacket.MAX);
    private final Map<String, Long> counters = new TreeMap<>();
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
    private String foundBy = "";
    /** Under POLICY: whether the policy engine has ordered a reroute (until it revokes it). */
    private boolean ordered;
    private long nextProbe;
    private final AgentRunner runner;
    private final List<DatagramPump> pumps = new CopyOnWriteArrayList<>();

    private RouteAgent(Settings settings, OverlayNode dht, DhtNeighbours fromDht, Consumer<Event> events, Clock clock) throws IOException {
        if (fromDht != null && dht == null) {
            throw new IllegalArgumentException("neighbours from the DHT need a DHT node");
        }
        this.settings = settings;
        this.dht = dht;
        this.fromDht = fromDht;
        this.neighbours = List.copyOf(settings.neighbours());
        this.clock = clock;
        this.events = events;
        this.auth = new PacketAuth(settings.networkKey(), Duration.ofSeconds(30).toMillis());
        this.channel = DatagramChannel.open().bind(settings.listen());
        this.self = (InetSocketAddress) channel.getLocalAddress();
        this.entrance = settings.entrance() == null ? null : DatagramChannel.open().bind(settings.entrance());
        this.search = settings.algorithm() == Algorithm.WARP
                ? new WarpSearch(host(), settings.warp(), settings.neighbours(), random)
                : new FloodSearch(host(), settings.neighbours(), settings.contingent(), settings.floodTimeout(), dht, settings.networkKey(), random);
        this.session = random.nextLong();
        this.nextProbe = clock.millis();
        this.nextNeighbours = fromDht == null ? Long.MAX_VALUE : clock.millis();
        this.runner = new AgentRunner(this, INBOX, clock);
    }

    public static RouteAgent start(Settings settings, Consumer<Event> events, Clock clock) throws IOException {
        return start(settings, null, events, clock);
    }

    /** With a DHT node ({@code dht}, or null): relays learn themselves into it, and a source looks there before it floods. */
    public static RouteAgent start(Settings settings, OverlayNode dht, Consumer<Event> events, Clock clock) throws IOException {
        return start(settings, dht, null, events, clock);
    }

    /** With neighbours taken from the DHT node's routing table as well ({@code fromDht}, or null). */
    public static RouteAgent start(Settings settings, OverlayNode dht, DhtNeighbours fromDht, Consumer<Event> events, Clock clock)
            throws IOException {
        RouteAgent a = new RouteAgent(settings, dht, fromDht, events, clock);
        a.runner.start();
        a.pumps.add(DatagramPump.start(a.roleName(), a.channel, RoutePacket.MAX, a.runner, (from, bytes) -> new Datagram(Side.OVERLAY, from, bytes)));
        if (a.entrance != null) {
            a.pumps.add(DatagramPump.start(a.roleName() + "-entrance", a.entrance, RoutePacket.MAX, a.runner,
                    (from, bytes) -> new Datagram(Side.ENTRANCE, from, bytes)));
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

    /** The policy engine's order to reroute (under {@link Remediation#POLICY}); false if this agent takes no orders. */
    public CompletableFuture<Boolean> reroute() {
        return order(true);
    }

    /** The policy engine's order to withdraw the reroute; false if this agent takes no orders. */
    public CompletableFuture<Boolean> withdraw() {
        return order(false);
    }

    private CompletableFuture<Boolean> order(boolean reroute) {
        Order o = new Order(reroute, new CompletableFuture<>());
        runner.deliver(o);
        return o.accepted();
    }

    /** The destination agent this one watches, or null. */
    public InetSocketAddress destination() {
        return settings.destination();
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Datagram d when d.side() == Side.ENTRANCE -> fromApplication(d);
            case Datagram d -> fromOverlay(d);
            case Order o -> o.accepted().complete(onOrder(o.reroute()));
            case FromDht f -> useNeighbours(f.closest());
            case Status s -> {
                Map<String, Long> snapshot = new TreeMap<>(counters);
                snapshot.put("dropped.inbox-full", pumps.stream().mapToLong(DatagramPump::inboxFull).sum());
                snapshot.put("neighbours", (long) neighbours.size());
                if (search instanceof FloodSearch f) {
                    snapshot.put("flood.duplicates", f.duplicates());
                }
                s.result().complete(Map.copyOf(snapshot));
            }
            default -> search.onMessage(message, clock.millis());
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
            if (search.handles(type)) {
                search.onPacket(type, d.from(), in, clock.millis());
                return;
            }
            switch (type) {
                case PROBE -> {
                    RoutePacket.begin(out, Type.PROBE_ACK, clock.millis());
                    out.putLong(RoutePacket.readLong(in));
                    send(d.from());
                }
                case PROBE_ACK -> onProbeAck(d.from(), RoutePacket.readLong(in));
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
                default -> count("dropped.other-algorithm");
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

    // ---- watching the direct path, searching for a relay

    // ---- neighbours from the DHT

    private void askDht(long now) {
        nextNeighbours = now + fromDht.every().toMillis();
        dht.lookup(dht.id()).thenAccept(r -> runner.deliver(new FromDht(r.closest())));
    }

    private void useNeighbours(List<Contact> closest) {
        Set<InetSocketAddress> all = new LinkedHashSet<>(settings.neighbours());
        int limit = all.size() + fromDht.count();
        for (Contact c : closest) {
            int port = c.address().getPort() + fromDht.portOffset();
            if (all.size() == limit) {
                break;
            }
            if (port > 0 && port <= 0xFFFF) {
                InetSocketAddress agent = new InetSocketAddress(c.address().getAddress(), port);
                if (!agent.equals(self) && !agent.equals(settings.destination())) {
                    all.add(agent);
                }
            }
        }
        List<InetSocketAddress> taken = List.copyOf(all);
        if (!taken.equals(neighbours)) {
            neighbours = taken;
            search.neighbours(taken);
            count("neighbours.changed");
        }
    }

    @Override
    public long nextDueMillis() {
        long due = Math.min(nextNeighbours, search.nextDueMillis());
        return settings.destination() == null ? due : Math.min(nextProbe, due);
    }

    @Override
    public void onTimer(long now) {
        if (now >= nextNeighbours) {
            askDht(now);
        }
        if (now >= search.nextDueMillis()) {
            search.onTimer(now);
        }
        if (settings.destination() == null || now < nextProbe) {
            return;
        }
        nextProbe = now + settings.probeEvery().toMillis();
        if (!directAnswered) {
            answers = 0;
            if (++misses == settings.downAfter()) {
                directLost(now);
            }
        }
        directAnswered = false;
        directSeq++;
        sendProbe(settings.destination(), directSeq);
    }

    private void directLost(long now) {
        switch (state) {
            case DIRECT -> {
                brokeAt = now;
                change(State.DOWN, null, now);
                if (settings.remediation() == Remediation.AUTONOMOUS || ordered) {
                    search.start(settings.destination(), now);
                }
            }
            case RECOVERED -> change(State.RELAYED, relay, now);
            default -> {
            }
        }
    }

    private void directBack(long now) {
        switch (state) {
            case DOWN -> {
                search.stop();
                change(State.DIRECT, null, now);
            }
            case RELAYED -> {
                if (settings.remediation() == Remediation.AUTONOMOUS) {
                    change(State.DIRECT, null, now);
                } else {
                    change(State.RECOVERED, relay, now);
                }
            }
            default -> {
            }
        }
    }

    private boolean directUp() {
        return answers >= settings.upAfter();
    }

    /** The policy engine's order: reroute (true) or withdraw; whether it applies (the agent has a destination and takes orders). */
    private boolean onOrder(boolean reroute) {
        if (settings.destination() == null || settings.remediation() != Remediation.POLICY) {
            return false;
        }
        ordered = reroute;
        long now = clock.millis();
        if (reroute && state == State.DOWN) {
            search.start(settings.destination(), now);
        } else if (!reroute) {
            search.stop();
            if (state == State.RELAYED || state == State.RECOVERED) {
                change(directUp() ? State.DIRECT : State.DOWN, null, now);
            }
        }
        return true;
    }

    private void onProbeAck(InetSocketAddress from, long id) {
        long now = clock.millis();
        if (from.equals(settings.destination()) && id == directSeq && !directAnswered) {
            directAnswered = true;
            misses = 0;
            if (++answers >= settings.upAfter()) {
                directBack(now);
            }
            return;
        }
        search.onProbeAck(from, id, now);
    }

    /** The search's host: this agent's socket, probes and path state. */
    private RelaySearch.Host host() {
        return new RelaySearch.Host() {
            @Override
            public InetSocketAddress self() {
                return self;
            }

            @Override
            public ByteBuffer begin(Type type) {
                RoutePacket.begin(out, type, clock.millis());
                return out;
            }

            @Override
            public void send(InetSocketAddress to) {
                RouteAgent.this.send(to);
            }

            @Override
            public void probe(InetSocketAddress destination, long id) {
                sendProbe(destination, id);
            }

            @Override
            public void found(InetSocketAddress relay, String how) {
                if (state == State.DOWN) {
                    foundBy = how;
                    change(State.RELAYED, relay, clock.millis());
                }
            }

            @Override
            public void later(Object message) {
                runner.deliver(message);
            }

            @Override
            public void count(String counter) {
                RouteAgent.this.count(counter);
            }
        };
    }

    private void change(State to, InetSocketAddress newRelay, long now) {
        State was = state;
        state = to;
        relay = newRelay;
        count("path." + to.label());
        boolean relayed = to == State.RELAYED || to == State.RECOVERED;
        events.accept(new PathState(now, hostPort(self), hostPort(settings.destination()), was, to,
                newRelay == null ? "" : hostPort(newRelay), relayed ? foundBy : "", relayed ? now - brokeAt : 0).toEvent());
    }

    // ---- sending

    private void sendProbe(InetSocketAddress to, long id) {
        RoutePacket.begin(out, Type.PROBE, clock.millis());
        out.putLong(id);
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
        for (DatagramPump p : pumps) {
            p.close();
        }
    }
}
