package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.tunnel.bfd.BfdPacket;
import dev.d2r2.tunnel.bfd.BfdSession;
import dev.d2r2.tunnel.bfd.BfdState;
import dev.d2r2.tunnel.bfd.BfdTimers;
import dev.d2r2.tunnel.events.DnCarrierChanged;
import dev.d2r2.tunnel.events.DnMapReported;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.PacketMac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The decapsulation node's control side (thesis §3.1, §4.2): it answers an EN's hello with a
 * session — as primary it assigns the lowest free address of its pool (or confirms the one the EN
 * states, after a restart), as secondary it accepts the address the EN holds — and keeps a
 * passive BFD session with each EN. It starts carrying an EN when the EN's data arrives (the
 * thesis's data-driven takeover: no control message is faster than the next packet), announcing
 * the EN's address towards the destination network, and stops when the EN releases it, greets
 * it again, or its BFD session goes down. Every start and stop is a {@code tunnel.dn.carrier}
 * event.
 */
final class DnRole implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(DnRole.class);

    private static final class Session {
        final Peer peer;
        final PacketMac controlMac;
        final BfdSession bfd;

        Session(Peer peer, PacketMac controlMac, BfdSession bfd) {
            this.peer = peer;
            this.controlMac = controlMac;
            this.bfd = bfd;
        }
    }

    private final String name;
    private final DnKeys keys;
    private final AddressPlan plan;
    private final DatagramChannel channel;
    private final BfdTimers timers;
    private final Clock clock;
    private final RandomGenerator random;
    private final Consumer<Event> events;
    private final Announcer announcer;
    private final Map<Integer, Session> sessions = new HashMap<>();
    private final ControlOut out;
    private final Counters counters;
    private final long statusEveryMillis;
    private long nextStatusAt;
    private volatile DnTable table = DnTable.EMPTY;
    private final Set<Integer> fencers;
    private final EsrReporter reporter;
    private boolean fenced;
    /** The number of this DN's next {@code tunnel.dn.map} report: from its clock's microseconds at start, so a restarted
     * DN's numbers follow its last life's (it reports far less than once a microsecond). */
    private long mapSeq;

    DnRole(DnConfig config, DnKeys keys, DatagramChannel channel, Clock clock, RandomGenerator random, Consumer<Event> events,
           Announcer announcer, Counters counters) {
        this.counters = counters;
        this.statusEveryMillis = config.statusEveryOrDefault().toMillis();
        this.nextStatusAt = clock.millis() + statusEveryMillis;
        this.name = config.name();
        this.keys = keys;
        this.plan = config.plan();
        this.fencers = config.fencerTunnels();
        this.channel = channel;
        this.out = new ControlOut(new DatagramChannel[]{channel},
                DelayStages.of(new TestDelay[]{config.testDelay()}, ControlOut.FRAME_BYTES, clock, new SplittableRandom()), counters);
        this.timers = config.bfd().timers();
        this.clock = clock;
        this.random = random;
        this.events = events;
        this.announcer = announcer;
        this.reporter = config.esr() == null ? null : new EsrReporter(name, config.esr(), keys.toEsr(config.esr()), channel);
        this.mapSeq = clock.millis() * 1000;
    }

    @Override
    public void onStart() {
        publishMap(DnMapReported.START, DnMapReported.START, DnMapReported.NONE, clock.millis());
    }

    @Override
    public String roleName() {
        return "tunnel-dn-" + name;
    }

    DnTable table() {
        return table;
    }

    @Override
    public long nextDueMillis() {
        long due = nextStatusAt;
        for (Session s : sessions.values()) {
            due = Math.min(due, s.bfd.nextDueMillis());
        }
        due = Math.min(due, out.nextDueMillis(clock.millis()));
        return reporter == null ? due : Math.min(due, reporter.nextDueMillis());
    }

    @Override
    public void onTimer(long now) throws IOException {
        try {
            out.release();
        } catch (IOException e) {
            if (!channel.isOpen()) {
                throw e;
            }
            LOG.debug("{}: a delayed control frame was not sent: {}", name, e.toString());
        }
        if (now >= nextStatusAt) {
            events.accept(counters.status(now, name, "dn"));
            nextStatusAt = now + statusEveryMillis;
        }
        for (Session s : new ArrayList<>(sessions.values())) {
            BfdState before = s.bfd.state();
            BfdPacket p = s.bfd.onTimer(now);
            if (p != null) {
                send(s.peer, s.controlMac, new Control.Bfd(p));
            }
            if (before == BfdState.UP && s.bfd.state() != BfdState.UP) {
                stopCarrying(s, "bfd-down", now);
            }
        }
        report(now);
    }

    @Override
    public void onMessage(Object message) throws IOException {
        long now = clock.millis();
        handle(message, now);
        report(now);
    }

    private void handle(Object message, long now) throws IOException {
        if (message instanceof Activate a) {
            Session s = fenced ? null : sessions.get(a.tunnelId());
            if (s != null) {
                s.peer.activationAsked.set(false);
                startCarrying(s, "data", now);
            }
            return;
        }
        if (!(message instanceof Received r)) {
            return;
        }
        if (r.message() instanceof Control.Fence f && fencers.contains(r.tunnelId())) {
            fence(f.fenced(), now);
            return;
        }
        if (fenced) {
            return;
        }
        Session s = sessions.get(r.tunnelId());
        if (s != null && roams(r.message()) && !r.from().equals(s.peer.endpoint)) {
            LOG.info("{}: tunnel {} moved from {} to {}", name, r.tunnelId(), s.peer.endpoint, r.from());
            s.peer.endpoint = r.from();
        }
        switch (r.message()) {
            case Control.Hello h -> hello(r.from(), r.tunnelId(), h, s, now);
            case Control.Bfd b when s != null -> {
                BfdState before = s.bfd.state();
                s.bfd.onPacket(b.packet(), now);
                if (before == BfdState.UP && s.bfd.state() != BfdState.UP) {
                    stopCarrying(s, "bfd-down", now);
                }
            }
            case Control.Release rel when s != null && rel.address() == s.peer.address -> stopCarrying(s, "release", now);
            case Control.Carry c when s != null && c.address() == s.peer.address -> startCarrying(s, "moved", now);
            case Control.PathProbe p when s != null -> echo(r.from(), s, p);
            default -> {
            }
        }
    }

    /**
     * Whether a message moves its session to the address it came from: a multihomed EN sends its
     * control messages on its active uplink, and the authenticated, fresh frame says where that is
     * now. Hellos make a new session anyway, and probes come on every uplink.
     */
    private static boolean roams(Control message) {
        return !(message instanceof Control.Hello) && !(message instanceof Control.PathProbe);
    }

    /** Answers an EN's uplink probe on the uplink it came by, continuing the session's sequence. */
    private void echo(InetSocketAddress from, Session s, Control.PathProbe p) throws IOException {
        try {
            out.send(0, s.peer, s.controlMac, new Control.PathEcho(p.path(), p.seq()), from);
        } catch (IOException e) {
            if (!channel.isOpen()) {
                throw e;
            }
            LOG.debug("{}: cannot echo tunnel {}'s probe: {}", name, s.peer.tunnelId, e.toString());
        }
    }

    private void hello(InetSocketAddress from, int tunnelId, Control.Hello h, Session old, long now) throws IOException {
        Peer reply = new Peer(name, from, tunnelId, 0, null);
        int address = h.address();
        if (h.primary() && address == 0) {
            address = old != null && Ipv4.contains(plan.pool(), old.peer.address) ? old.peer.address
                    : plan.free(h.backup(), a -> sessions.values().stream().anyMatch(s -> s.peer.address == a));
            if (address == 0) {
                send(reply, keys.toEn(tunnelId), new Control.Refuse("pool " + plan.pool() + " is full for backup " + h.backup()));
                return;
            }
        }
        String refusal = refusal(tunnelId, address, h.primary());
        if (refusal != null) {
            send(reply, keys.toEn(tunnelId), new Control.Refuse(refusal));
            return;
        }
        if (old != null) {
            stopCarrying(old, "hello", now);
        }
        Peer peer = new Peer(name, from, tunnelId, address, keys.toEn(tunnelId));
        if (old != null) {
            // the EN's replay window is live: a new session's numbers go on where the last one's stopped
            peer.sequence.set(old.peer.sequence.get());
        }
        BfdSession bfd = new BfdSession(timers, 1 + random.nextInt(Integer.MAX_VALUE - 1), true, random, now);
        sessions.put(tunnelId, new Session(peer, keys.toEn(tunnelId), bfd));
        publishTable();
        send(peer, sessions.get(tunnelId).controlMac, new Control.Assign(address, plan.pool().prefix(), name));
        LOG.info("{}: tunnel {} from {} as {} with {}", name, tunnelId, from, h.primary() ? "primary" : "secondary", Ipv4.text(address));
    }

    /** Why a hello for {@code address} must be refused, or null. */
    private String refusal(int tunnelId, int address, boolean primary) {
        String planned = plan.refusal(address, primary);
        if (planned != null) {
            return planned;
        }
        for (Session s : sessions.values()) {
            if (s.peer.address == address && s.peer.tunnelId != tunnelId) {
                return Ipv4.text(address) + " is held by another tunnel";
            }
        }
        return null;
    }

    /**
     * Fenced on a DN failure detector's order: stops carrying every EN, forgets every session
     * (so its data is dropped and its BFD falls silent: the ENs fail over within their detection
     * time) and answers nothing until the order is lifted.
     */
    private void fence(boolean on, long now) {
        if (on == fenced) {
            return;
        }
        fenced = on;
        LOG.warn("{}: {}", name, on ? "fenced: serving no EN until the fence is lifted" : "the fence is lifted: serving again");
        if (on) {
            for (Session s : sessions.values()) {
                stopCarrying(s, "fenced", now);
            }
            sessions.clear();
            publishTable();
        }
    }

    private void startCarrying(Session s, String reason, long now) {
        if (s.peer.carrying) {
            return;
        }
        s.peer.carrying = true;
        announcer.announce(s.peer.address);
        if (reporter != null) {
            reporter.changed();
        }
        events.accept(new DnCarrierChanged(now, name, DnCarrierChanged.STANDBY, DnCarrierChanged.CARRYING, reason,
                Ipv4.text(s.peer.address), s.peer.tunnelId).toEvent());
        publishMap(DnMapReported.ATTACH, reason, Ipv4.text(s.peer.address), now);
    }

    private void stopCarrying(Session s, String reason, long now) {
        if (!s.peer.carrying) {
            return;
        }
        s.peer.carrying = false;
        announcer.withdraw(s.peer.address);
        if (reporter != null) {
            reporter.changed();
        }
        events.accept(new DnCarrierChanged(now, name, DnCarrierChanged.CARRYING, DnCarrierChanged.STANDBY, reason,
                Ipv4.text(s.peer.address), s.peer.tunnelId).toEvent());
        publishMap(DnMapReported.RELEASE, reason, Ipv4.text(s.peer.address), now);
    }

    /** Tells the ESR, if there is one, which ENs this DN carries: at once after a change, else every report-every. */
    private void report(long now) throws IOException {
        if (reporter == null || !reporter.due(now)) {
            return;
        }
        reporter.report(now, carried());
    }

    /** Publishes this DN's whole entry in the EN-to-DN map after a change ({@code tunnel.dn.map}). */
    private void publishMap(String change, String reason, String address, long now) {
        events.accept(new DnMapReported(now, name, mapSeq++, change, reason, address, carried().stream().map(Ipv4::text).toList()).toEvent());
    }

    private List<Integer> carried() {
        List<Integer> carried = new ArrayList<>();
        for (Session s : sessions.values()) {
            if (s.peer.carrying) {
                carried.add(s.peer.address);
            }
        }
        return carried;
    }

    private void publishTable() {
        List<Peer> peers = new ArrayList<>();
        sessions.values().forEach(s -> peers.add(s.peer));
        table = new DnTable(peers);
    }

    private void send(Peer peer, PacketMac mac, Control message) throws IOException {
        try {
            out.send(0, peer, mac, message, peer.endpoint);
        } catch (IOException e) {
            if (!channel.isOpen()) {
                throw e;
            }
            LOG.debug("{}: cannot reach tunnel {}: {}", name, peer.tunnelId, e.toString());
        }
    }
}
