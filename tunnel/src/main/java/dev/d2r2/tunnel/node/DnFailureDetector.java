package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.tunnel.bfd.BfdPacket;
import dev.d2r2.tunnel.bfd.BfdSession;
import dev.d2r2.tunnel.bfd.BfdState;
import dev.d2r2.tunnel.bfd.BfdTimers;
import dev.d2r2.tunnel.events.DnSuspected;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * DN-FD (thesis §3.1): watches DNs from outside, as an EN would see them. It greets each DN as a
 * secondary EN holding its own tunnel address and keeps a BFD session with it: the control path.
 * While that session is Up it sends a {@link ProbePacket} through the DN every
 * {@code probe-every}, which the DN's data path must bring back. A DN whose session goes down is
 * suspected for {@code control}; a DN whose session stays Up while {@code suspect-after} probes in
 * a row do not come back is suspected for {@code data} — alive on the control path but dropping
 * traffic, the failure BFD alone cannot see. Each verdict is a {@code tunnel.dn.suspected} event;
 * fencing is the policy engine's decision, not this agent's: a {@link FenceOrder} from its API
 * is sent to the DN as an authenticated {@code fence} control message, {@value #FENCE_SENDS}
 * times {@code hello-every} apart (UDP may lose one; the DN takes it once). Everything it sends a
 * DN is sealed with the key of its identity and that DN's, as an EN's frames are (the DN-FD takes
 * the EN's place); the DN lists it among its {@code fencers} by its public key. Every
 * {@code status-every} it publishes its {@link Counters} (filled by its pump) as {@code tunnel.status}:
 * frames from another identity than the DN's they came from are counted as unauthenticated.
 */
final class DnFailureDetector implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(DnFailureDetector.class);
    static final int FENCE_SENDS = 5;

    private final class Watch {
        final DnRef dn;
        final Peer peer;
        BfdSession bfd;
        long nextHelloAt;
        long nextProbeAt;
        long outstanding = -1;
        int lostInRow;
        String verdict = DnSuspected.UNKNOWN;
        Boolean fence;
        int fenceSends;
        long nextFenceAt;

        Watch(DnRef dn, Peer peer) {
            this.dn = dn;
            this.peer = peer;
        }
    }

    private final String name;
    private final int tunnelId;
    private final int address;
    private final List<Watch> watches = new ArrayList<>();
    private final DatagramChannel channel;
    private final BfdTimers timers;
    private final long helloEveryMillis;
    private final long probeEveryMillis;
    private final int suspectAfter;
    private final Clock clock;
    private final RandomGenerator random;
    private final Consumer<Event> events;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(256);
    private final Counters counters;
    private final long statusEveryMillis;
    private long nextStatusAt;

    DnFailureDetector(DnfdConfig config, TunnelIdentity me, DatagramChannel channel, Clock clock, RandomGenerator random,
                      Consumer<Event> events, Counters counters) {
        this.counters = counters;
        this.statusEveryMillis = config.statusEveryMillis();
        this.nextStatusAt = clock.millis() + statusEveryMillis;
        this.name = config.name();
        this.tunnelId = config.tunnel();
        this.address = config.addressBits();
        this.channel = channel;
        this.timers = config.bfd().timers();
        this.helloEveryMillis = config.helloEveryMillis();
        this.probeEveryMillis = config.probeEveryMillis();
        this.suspectAfter = config.suspectAfterOrDefault();
        this.clock = clock;
        this.random = random;
        this.events = events;
        for (DnRef dn : config.watch()) {
            PacketMac toDn = new PacketMac(me.pairKey(TunnelIdentity.parsePublic(dn.publicKey()), tunnelId, true, Direction.EN_TO_DN));
            watches.add(new Watch(dn, new Peer(dn.name(), dn.endpoint(), tunnelId, address, toDn)));
        }
    }

    @Override
    public String roleName() {
        return "tunnel-dnfd-" + name;
    }

    @Override
    public long nextDueMillis() {
        long due = nextStatusAt;
        for (Watch w : watches) {
            due = Math.min(due, w.bfd == null ? w.nextHelloAt : Math.min(w.bfd.nextDueMillis(), probing(w) ? w.nextProbeAt : Long.MAX_VALUE));
            if (w.fenceSends > 0) {
                due = Math.min(due, w.nextFenceAt);
            }
        }
        return due;
    }

    private static boolean probing(DnFailureDetector.Watch w) {
        return w.bfd != null && w.bfd.state() == BfdState.UP;
    }

    @Override
    public void onTimer(long now) throws IOException {
        if (now >= nextStatusAt) {
            nextStatusAt = now + statusEveryMillis;
            events.accept(counters.status(now, name, "dnfd"));
        }
        for (Watch w : watches) {
            if (w.fenceSends > 0 && now >= w.nextFenceAt) {
                sendControl(w, new Control.Fence(w.fence));
                w.fenceSends--;
                w.nextFenceAt = now + helloEveryMillis;
            }
            if (w.bfd == null) {
                if (now >= w.nextHelloAt) {
                    sendControl(w, new Control.Hello(false, address));
                    w.nextHelloAt = now + helloEveryMillis;
                }
                continue;
            }
            BfdState before = w.bfd.state();
            BfdPacket p = w.bfd.onTimer(now);
            if (p != null) {
                sendControl(w, new Control.Bfd(p));
            }
            sessionChanged(w, before, now);
            if (probing(w) && now >= w.nextProbeAt) {
                probe(w, now);
            }
        }
    }

    private void probe(Watch w, long now) throws IOException {
        if (w.outstanding >= 0 && ++w.lostInRow >= suspectAfter) {
            verdict(w, DnSuspected.SUSPECTED, DnSuspected.DATA, now);
        }
        w.outstanding = w.peer.sequence.get() & 0xffffffffL;
        scratch.clear();
        int n = ProbePacket.write(scratch, GreFrame.HEADER_BYTES, address, tunnelId, (int) w.outstanding);
        GreFrame.seal(scratch, GreFrame.PROTO_IPV4, tunnelId, w.peer.sequence.getAndIncrement(), n, w.peer.dataMac);
        send(w, scratch);
        w.nextProbeAt = now + probeEveryMillis;
    }

    @Override
    public void onMessage(Object message) throws IOException {
        long now = clock.millis();
        switch (message) {
            case ProbeEcho echo -> {
                Watch w = watchAt(echo.from());
                if (w != null && echo.number() == w.outstanding) {
                    w.outstanding = -1;
                    w.lostInRow = 0;
                    verdict(w, DnSuspected.ALIVE, DnSuspected.ANSWERING, now);
                }
            }
            case FenceOrder order -> {
                Watch w = watchNamed(order.dn());
                if (w != null) {
                    LOG.warn("{}: {} {} on the policy's order", name, order.fenced() ? "fencing" : "lifting the fence of", w.dn.name());
                    w.fence = order.fenced();
                    w.fenceSends = FENCE_SENDS;
                    w.nextFenceAt = now;
                }
            }
            case Received r when r.tunnelId() == tunnelId -> {
                Watch w = watchAt(r.from());
                if (w != null) {
                    control(w, r.message(), now);
                }
            }
            default -> {
            }
        }
    }

    private void control(Watch w, Control message, long now) throws IOException {
        switch (message) {
            case Control.Assign a when w.bfd == null && a.address() == address -> {
                w.bfd = new BfdSession(timers, 1 + random.nextInt(Integer.MAX_VALUE - 1), false, random, now);
            }
            case Control.Refuse refuse -> LOG.warn("{}: {} refused the watch: {}", name, w.dn.name(), refuse.reason());
            case Control.Bfd b when w.bfd != null -> {
                BfdState before = w.bfd.state();
                w.bfd.onPacket(b.packet(), now);
                sessionChanged(w, before, now);
            }
            default -> {
            }
        }
    }

    private void sessionChanged(Watch w, BfdState before, long now) {
        BfdState after = w.bfd.state();
        if (after == before) {
            return;
        }
        if (after == BfdState.UP) {
            w.nextProbeAt = now;
            w.outstanding = -1;
            w.lostInRow = 0;
        } else if (after == BfdState.DOWN) {
            w.bfd = null;
            w.nextHelloAt = now;
            verdict(w, DnSuspected.SUSPECTED, DnSuspected.CONTROL, now);
        }
    }

    private void verdict(Watch w, String to, String reason, long now) {
        if (w.verdict.equals(to) || to.equals(DnSuspected.SUSPECTED) && w.verdict.equals(DnSuspected.UNKNOWN)) {
            return;
        }
        events.accept(new DnSuspected(now, name, w.verdict, to, w.dn.name(), reason).toEvent());
        LOG.info("{}: {} is {} ({})", name, w.dn.name(), to, reason);
        w.verdict = to;
    }

    /** Whether this detector watches a DN of that name: the fence API refuses any other. */
    boolean watches(String dn) {
        return watchNamed(dn) != null;
    }

    private Watch watchNamed(String dn) {
        for (Watch w : watches) {
            if (w.dn.name().equals(dn)) {
                return w;
            }
        }
        return null;
    }

    private Watch watchAt(InetSocketAddress from) {
        for (Watch w : watches) {
            if (w.peer.endpoint.equals(from)) {
                return w;
            }
        }
        return null;
    }

    private void sendControl(Watch w, Control message) throws IOException {
        try {
            DataPath.sendControl(channel, scratch, w.peer, w.peer.dataMac, message);
        } catch (IOException e) {
            unreachable(w, e);
        }
    }

    private void send(Watch w, ByteBuffer frame) throws IOException {
        try {
            channel.send(frame, w.peer.endpoint);
        } catch (IOException e) {
            unreachable(w, e);
        }
    }

    private void unreachable(Watch w, IOException e) throws IOException {
        if (!channel.isOpen()) {
            throw e;
        }
        LOG.debug("{}: cannot reach {}: {}", name, w.dn.name(), e.toString());
    }
}
