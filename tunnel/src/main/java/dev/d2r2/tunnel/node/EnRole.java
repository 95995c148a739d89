package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.tunnel.bfd.BfdPacket;
import dev.d2r2.tunnel.bfd.BfdSession;
import dev.d2r2.tunnel.bfd.BfdState;
import dev.d2r2.tunnel.bfd.BfdTimers;
import dev.d2r2.tunnel.events.EnDnChanged;
import dev.d2r2.tunnel.events.EnSessionChanged;
import dev.d2r2.tunnel.path.PathBoard;
import dev.d2r2.tunnel.path.PathSelector;
import dev.d2r2.tunnel.path.TrustBook;
import dev.d2r2.tunnel.path.TrustInput;
import dev.d2r2.tunnel.path.WeightedRoundRobin;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.ReplayWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The encapsulation node's control side (thesis §3.1): one session per configured DN, the first
 * being the primary. It says hello to the primary until the primary assigns its address, then to
 * each secondary with that address (so every secondary holds a ready session: a failover needs
 * no handshake). Each answered session runs BFD; traffic goes through the primary while its
 * session is Up, else through the first secondary that is Up (failover), and back to the primary
 * once its session has been Up for {@code failback-after} (failback, telling the secondary to
 * release the EN): a DN just restarted is still warming up, and a hold-down keeps it from pulling
 * the traffic back and losing it again. With no DN carrying the traffic, any Up session takes it at once. A DN whose
 * session goes down is greeted again until it answers. Every change of DN is a
 * {@code tunnel.en.dn} event.
 *
 * <p>With several {@code uplinks} the EN is multihomed: every {@code probe.every} it probes its
 * current DN on each uplink, the shared {@link PathBoard} scores and chooses them, and traffic and
 * control messages leave on the chosen uplink (or are spread, {@code concurrent}). A switch of
 * uplink is a {@code tunnel.path.switched} event and needs no new DN: the EN tells its DN at once
 * ({@code carry} on the new uplink), and the DN sends its return traffic where that came from.
 *
 * <p>Trust changes ({@link TrustInput}, from indictments and policy decisions) weigh in the uplinks'
 * scores, and a DN whose trust falls below {@code refuse-below} is left as if its session were down.
 */
final class EnRole implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(EnRole.class);

    /** Configures the TUN device once the primary has assigned the address. */
    interface AddressSink {
        void assigned(int address, int prefixLength) throws IOException;
    }

    private final class Link {
        final DnRef dn;
        final boolean primary;
        final Peer peer;
        /** Seals the EN's control messages to this DN, on the role's thread (the data path seals with the peer's own). */
        final PacketMac controlMac;
        BfdSession bfd;
        long nextHelloAt;
        long upSince;
        /** Carried data out and none back for data-silence; not taken again until its session restarts. */
        boolean dataSuspect;

        Link(DnRef dn, boolean primary, Peer peer, PacketMac controlMac) {
            this.controlMac = controlMac;
            this.dn = dn;
            this.primary = primary;
            this.peer = peer;
        }
    }

    private final String name;
    private final int tunnelId;
    private final List<Link> links = new ArrayList<>();
    private final DatagramChannel[] uplinks;
    private final PathBoard board;
    private final TrustBook trust;
    private final WeightedRoundRobin spread;
    private final LongSupplier nanos;
    private final long probeEveryMillis;
    private final long scoreEveryMillis;
    private long nextProbeAt;
    private long nextScoreAt;
    private volatile int uplink;
    private final BfdTimers timers;
    private final long helloEveryMillis;
    private final long failbackAfterMillis;
    private final Clock clock;
    private final RandomGenerator random;
    private final Consumer<Event> events;
    private final AddressSink addressSink;
    private final ControlOut out;
    private final Counters counters;
    private final long statusEveryMillis;
    private long nextStatusAt;
    private int address;
    private Link active;
    private boolean everConnected;
    private volatile Peer activePeer;
    private final long dataSilenceMillis;
    private long nextDataCheckAt = Long.MAX_VALUE;
    private long dataSentMark;
    private long dataReceivedMark;
    private long silentSince = -1;

    /** {@code uplinks}: one socket per configured uplink, or the one socket; {@code nanos}: the monotonic time of probes. */
    EnRole(EnConfig config, EnKeys keys, DatagramChannel[] uplinks, Clock clock, LongSupplier nanos, RandomGenerator random,
           Consumer<Event> events, AddressSink addressSink, Counters counters) {
        this.counters = counters;
        this.statusEveryMillis = config.statusEveryOrDefault().toMillis();
        this.nextStatusAt = clock.millis() + statusEveryMillis;
        this.name = config.name();
        this.tunnelId = config.tunnel();
        this.uplinks = uplinks.clone();
        this.out = new ControlOut(uplinks, DelayStages.of(config.testDelays(), ControlOut.FRAME_BYTES, clock, new SplittableRandom()), counters);
        this.nanos = nanos;
        Multipath m = config.multipath();
        this.probeEveryMillis = m.probe().every().toMillis();
        this.scoreEveryMillis = m.scoreEvery().toMillis();
        this.nextProbeAt = clock.millis();
        this.nextScoreAt = clock.millis() + scoreEveryMillis;
        this.spread = new WeightedRoundRobin(uplinks.length);
        this.trust = new TrustBook(config.trust());
        this.board = uplinks.length < 2 ? null : new PathBoard(config.name(), config.uplinks().stream().map(Uplink::name).toArray(String[]::new),
                config.uplinks().stream().mapToDouble(Uplink::penaltyOrZero).toArray(), m.probe(), m.weights().score(), m.hysteresis(),
                trust, m.selectorMode(), spread, events);
        this.timers = config.bfd().timers();
        this.helloEveryMillis = config.helloEveryOrDefault().toMillis();
        this.failbackAfterMillis = config.failbackAfterOrDefault().toMillis();
        this.clock = clock;
        this.random = random;
        this.events = events;
        this.addressSink = addressSink;
        this.dataSilenceMillis = config.dataSilence() == null ? 0 : config.dataSilence().toMillis();
        if (dataSilenceMillis > 0) {
            nextDataCheckAt = clock.millis();
        }
        for (int i = 0; i < config.dns().size(); i++) {
            DnRef dn = config.dns().get(i);
            links.add(new Link(dn, i == 0, new Peer(dn.name(), dn.endpoint(), tunnelId, 0, keys.toDn(i),
                    new ReplayWindow(timers.replayForgetNanos())), keys.toDn(i)));
        }
    }

    @Override
    public String roleName() {
        return "tunnel-en-" + name;
    }

    /** The peer the TUN reader sends to: read on the data path, written here. */
    Peer activePeer() {
        return activePeer;
    }

    /** The uplink for the next data packet: the spread's pick, else the last chosen; called on the TUN reader only. */
    int nextUplink() {
        if (board == null) {
            return 0;
        }
        int u = spread.next();
        return u < 0 ? uplink : u;
    }

    /** The place in the configuration of the DN at {@code from}, or -1 for none of this EN's DNs; read on the UDP reader. */
    int dnIndexAt(InetSocketAddress from) {
        Link l = linkAt(from);
        return l == null ? -1 : links.indexOf(l);
    }

    /** The replay window of the DN at {@code from}, or null for an address that is none of this EN's DNs; read on the UDP reader. */
    ReplayWindow windowFrom(InetSocketAddress from) {
        Link l = linkAt(from);
        return l == null ? null : l.peer.window;
    }

    @Override
    public long nextDueMillis() {
        long due = Math.min(nextDataCheckAt, board == null ? nextStatusAt : Math.min(nextStatusAt, Math.min(nextProbeAt, nextScoreAt)));
        for (Link l : links) {
            if (l.bfd != null) {
                due = Math.min(due, l.bfd.nextDueMillis());
                if (ranksBeforeActive(l) && l.bfd.state() == BfdState.UP && !refused(l)) {
                    due = Math.min(due, l.upSince + failbackAfterMillis);
                }
            } else if (mayGreet(l)) {
                due = Math.min(due, l.nextHelloAt);
            }
        }
        return Math.min(due, out.nextDueMillis(clock.millis()));
    }

    /** Whether {@code l} would take the traffic from the active link once its hold-down has passed. */
    private boolean ranksBeforeActive(Link l) {
        return active != null && links.indexOf(l) < links.indexOf(active);
    }

    private boolean mayGreet(Link l) {
        return l.primary || address != 0;
    }

    @Override
    public void onTimer(long now) throws IOException {
        releaseDelayed();
        if (now >= nextStatusAt) {
            events.accept(counters.status(now, name, "en"));
            nextStatusAt = now + statusEveryMillis;
        }
        if (board != null) {
            multipath(now);
        }
        for (Link l : links) {
            if (l.bfd == null) {
                if (mayGreet(l) && now >= l.nextHelloAt) {
                    send(l, new Control.Hello(l.primary, address, l.primary ? links.get(1).dn.name() : ""));
                    l.nextHelloAt = now + helloEveryMillis;
                }
                continue;
            }
            BfdState before = l.bfd.state();
            BfdPacket p = l.bfd.onTimer(now);
            if (p != null) {
                send(l, new Control.Bfd(p));
            }
            if (l.bfd.state() != before) {
                bfdChanged(l, before, now);
            }
        }
        if (now >= nextDataCheckAt) {
            checkDataPath(now);
            nextDataCheckAt = now + Math.max(10, dataSilenceMillis / 4);
        }
        reselect(now);
    }

    /**
     * Detection by the data path ({@code data-silence}): a DN whose BFD is Up but which returns no
     * data while the EN sends it some for data-silence is suspected and left (reason {@code data}).
     * Opt-in, because traffic that is one-way by nature looks the same.
     */
    private void checkDataPath(long now) {
        long sent = counters.sent.get();
        long got = dataReceived();
        if (active == null || got != dataReceivedMark) {
            markDataPath();
        } else if (silentSince < 0) {
            if (sent != dataSentMark) {
                silentSince = now;
            }
        } else if (now - silentSince >= dataSilenceMillis) {
            LOG.warn("{}: {} is Up but returned no data for {} ms while this EN sent {} frames; leaving it", name, active.dn.name(),
                    now - silentSince, sent - dataSentMark);
            active.dataSuspect = true;
        }
    }

    private void markDataPath() {
        dataSentMark = counters.sent.get();
        dataReceivedMark = dataReceived();
        silentSince = -1;
    }

    private long dataReceived() {
        long sum = 0;
        for (int i = 0; i < counters.receivedOn.length(); i++) {
            sum += counters.receivedOn.get(i);
        }
        return sum;
    }

    @Override
    public void onMessage(Object message) throws IOException {
        if (message instanceof TrustInput t) {
            trusted(t, clock.millis());
            return;
        }
        if (!(message instanceof Received r) || r.tunnelId() != tunnelId) {
            return;
        }
        Link l = linkAt(r.from());
        if (l == null) {
            return;
        }
        long now = clock.millis();
        switch (r.message()) {
            case Control.Assign a -> assigned(l, a, now);
            case Control.PathEcho e when board != null -> board.echoed(e.path(), e.seq(), nanos.getAsLong());
            case Control.Refuse refuse -> LOG.warn("{}: {} refused the tunnel: {}", name, l.dn.name(), refuse.reason());
            case Control.Bfd b when l.bfd != null -> {
                BfdState before = l.bfd.state();
                l.bfd.onPacket(b.packet(), now);
                if (l.bfd.state() != before) {
                    bfdChanged(l, before, now);
                }
            }
            default -> {
            }
        }
    }

    /** Probes the DN in use (or the first with a session) on every uplink, and lets the board choose. */
    private void multipath(long now) throws IOException {
        if (now >= nextProbeAt) {
            Link target = active != null ? active : firstWithSession();
            if (target != null) {
                for (int i = 0; i < uplinks.length; i++) {
                    sendOn(i, target, new Control.PathProbe(i, board.probeSent(i, nanos.getAsLong())));
                }
            }
            evaluateUplinks(now);
            nextProbeAt = Math.max(nextProbeAt + probeEveryMillis, now + 1);
        }
        if (now >= nextScoreAt) {
            board.score(now, nanos.getAsLong(), counters.sentOn::get, counters.receivedOn::get);
            nextScoreAt = Math.max(nextScoreAt + scoreEveryMillis, now + 1);
        }
    }

    private void evaluateUplinks(long now) throws IOException {
        PathSelector.Switch s = board.evaluate(now, nanos.getAsLong(), dnName(active), false);
        if (s != null && s.to() >= 0) {
            uplink = s.to();
            if (active != null) {
                send(active, new Control.Carry(address));
            }
        }
    }

    /**
     * A change of trust in a DN or an uplink, by name. A DN below {@code refuse-below} is left at once
     * (reason {@code distrusted}) and not taken again until trusted; its session is kept, and it
     * counts as Up from the moment it is trusted again, so the hold-down applies to its return. An
     * uplink's trust weighs in its score, and an uplink with none is not used.
     */
    private void trusted(TrustInput t, long now) throws IOException {
        Link dn = linkNamed(t.subject());
        boolean wasRefused = dn != null && refused(dn);
        trust.apply(t);
        if (dn != null && wasRefused && !refused(dn)) {
            dn.upSince = now;
        }
        reselect(now);
        if (board != null) {
            evaluateUplinks(now);
        }
    }

    private boolean refused(Link l) {
        return trust.refused(l.dn.name());
    }

    private Link linkNamed(String dn) {
        for (Link l : links) {
            if (l.dn.name().equals(dn)) {
                return l;
            }
        }
        return null;
    }

    private Link firstWithSession() {
        for (Link l : links) {
            if (l.bfd != null) {
                return l;
            }
        }
        return null;
    }

    private static String dnName(Link l) {
        return l == null ? EnDnChanged.NONE : l.dn.name();
    }

    private void assigned(Link l, Control.Assign a, long now) throws IOException {
        if (address == 0) {
            if (!l.primary) {
                return;
            }
            addressSink.assigned(a.address(), a.prefixLength());
            address = a.address();
            LOG.info("{}: {} assigned {}", name, l.dn.name(), Ipv4.text(address));
            for (Link other : links) {
                other.nextHelloAt = now;
            }
        } else if (a.address() != address) {
            LOG.warn("{}: {} offered {}, but this EN holds {}", name, l.dn.name(), Ipv4.text(a.address()), Ipv4.text(address));
            return;
        }
        if (l.bfd == null) {
            l.bfd = new BfdSession(timers, 1 + random.nextInt(Integer.MAX_VALUE - 1), false, random, now);
        }
    }

    private void bfdChanged(Link l, BfdState before, long now) throws IOException {
        BfdState after = l.bfd.state();
        events.accept(new EnSessionChanged(now, name, stateName(before), stateName(after), l.dn.name(), l.primary, tunnelId).toEvent());
        if (after == BfdState.DOWN) {
            l.bfd = null;
            l.dataSuspect = false;
            l.nextHelloAt = now;
        } else if (after == BfdState.UP) {
            l.upSince = now;
        }
        reselect(now);
    }

    private static String stateName(BfdState s) {
        return s.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private void reselect(long now) throws IOException {
        Link best = null;
        for (Link l : links) {
            if (l.bfd != null && l.bfd.state() == BfdState.UP && !refused(l) && !l.dataSuspect
                    && (l == active || active == null || now - l.upSince >= failbackAfterMillis)) {
                best = l;
                break;
            }
        }
        if (best == active) {
            return;
        }
        Link previous = active;
        active = best;
        activePeer = best == null ? null : best.peer;
        markDataPath();
        String reason = previous != null && refused(previous) ? "distrusted" : previous != null && previous.dataSuspect ? EnDnChanged.DATA
                : best == null ? "lost" : !everConnected ? "connected" : best.primary ? EnDnChanged.FAILBACK : EnDnChanged.FAILOVER;
        everConnected |= best != null;
        events.accept(new EnDnChanged(now, name, previous == null ? EnDnChanged.NONE : previous.dn.name(),
                best == null ? EnDnChanged.NONE : best.dn.name(), reason, Ipv4.text(address), tunnelId).toEvent());
        if (best != null) {
            send(best, new Control.Carry(address));
        }
        if (previous != null && previous.bfd != null) {
            send(previous, new Control.Release(address));
        }
        if (best == null) {
            LOG.warn("{}: no DN is reachable; greeting them all again", name);
        }
    }

    private Link linkAt(InetSocketAddress from) {
        for (Link l : links) {
            if (l.peer.endpoint.equals(from)) {
                return l;
            }
        }
        return null;
    }

    /** Sends the control frames whose test-only delay has passed. */
    private void releaseDelayed() throws IOException {
        try {
            out.release();
        } catch (IOException e) {
            if (!uplinks[0].isOpen()) {
                throw e;
            }
            LOG.debug("{}: a delayed control frame was not sent: {}", name, e.toString());
        }
    }

    /** Control messages leave on the chosen uplink, so that the DN answers (and returns traffic) on it. */
    private void send(Link l, Control message) throws IOException {
        sendOn(uplink, l, message);
    }

    private void sendOn(int u, Link l, Control message) throws IOException {
        try {
            out.send(u, l.peer, l.controlMac, message, l.peer.endpoint);
        } catch (IOException e) {
            if (!uplinks[u].isOpen()) {
                throw e;
            }
            LOG.debug("{}: cannot reach {} on uplink {}: {}", name, l.dn.name(), u, e.toString());
        }
    }
}
