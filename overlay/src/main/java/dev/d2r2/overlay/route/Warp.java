package dev.d2r2.overlay.route;

import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.route.WarpMessage.Ask;
import dev.d2r2.overlay.route.WarpMessage.Extend;
import dev.d2r2.overlay.route.WarpMessage.Measured;
import dev.d2r2.overlay.route.WarpMessage.Seek;
import dev.d2r2.overlay.route.WarpMessage.SeekAck;
import dev.d2r2.overlay.route.WarpMessage.Trace;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One node's part in WARP, "Warping Around Routing Problems" (ResumeNet D3.1c §5.3), without
 * sockets or a clock: every call carries the time.
 *
 * <ol>
 * <li><b>Seeker.</b> The source routes {@link WarpConfig#probes()} seekers by overlay id towards
 * the destination's id: each hop passes one to its neighbour closest to that id if it is closer
 * than itself, else to the destination over IP. The destination answers the source straight
 * away, naming the hop that delivered the seeker: with enough answers, fast enough, that hop is
 * the relay (tunnels here have one relay, so the path's last segment becomes the tunnel's).</li>
 * <li><b>Traceroute from the path.</b> Otherwise a trace follows the same overlay path; every
 * hop on it sends its own UDP probes to the destination (traceroute's question — does this hop
 * get through, how fast — asked with UDP, as there is no ICMP here) and those that got answers
 * report to the source, which after {@link WarpConfig#traceTimeout()} takes the report with the
 * lowest round-trip time among those with sufficient performance.</li>
 * <li><b>Extended search.</b> Otherwise the source's next hop is asked for an extended search:
 * it asks k of its neighbours not asked before, who measure their paths and answer the source
 * directly; a sufficient answer is the relay. When a step brings none, the source asks one of
 * the peers that answered to ask k more, until a relay or {@link WarpConfig#searchTimeout()}:
 * then the best insufficient relay seen is taken, or, with none, the search starts again.</li>
 * </ol>
 *
 * Overlay ids are the first 160 bits of SHA-256 of an agent's {@code host:port}, so any agent
 * computes the destination's id (the seed's "Pastry ID of the destination host").
 */
public final class Warp {
    /** Where WARP's messages go. */
    public interface Out {
        void send(InetSocketAddress to, WarpMessage message);

        /** One UDP probe of the destination; its answer comes back through {@link #onProbeAck}. */
        void probe(InetSocketAddress destination, long probeId);

        /** The source's search found its relay; {@code phase} is seek, trace or extend. */
        void found(InetSocketAddress relay, String phase, Measured performance);
    }

    private enum Phase { IDLE, SEEK, TRACE, EXTEND }

    private record Candidate(InetSocketAddress relay, String phase, Measured performance) {
    }

    /** A measurement this node makes for an origin: its probes, their send times, the answers so far. */
    private static final class Measurement {
        final InetSocketAddress origin;
        final long search;
        final boolean asked;
        final long deadline;
        final Map<Long, Long> sentAt = new HashMap<>();
        int answered;
        long rttSum;

        Measurement(InetSocketAddress origin, long search, boolean asked, long deadline) {
            this.origin = origin;
            this.search = search;
            this.asked = asked;
            this.deadline = deadline;
        }
    }

    /** Measurements one node makes at once; more asks are dropped (a bound on what others can make it send). */
    static final int MAX_MEASUREMENTS = 256;
    /** Peers an extended search carries as already asked. */
    static final int MAX_ASKED = 32;

    private final WarpConfig config;
    private final InetSocketAddress self;
    private final NodeId selfId;
    private List<InetSocketAddress> neighbours;
    private final Out out;
    private final RandomGenerator random;
    private final Map<Long, Measurement> byProbe = new HashMap<>();
    private final List<Measurement> measurements = new ArrayList<>();

    // the source's search
    private Phase phase = Phase.IDLE;
    private InetSocketAddress destination;
    private long search;
    private long phaseDeadline = Long.MAX_VALUE;
    private long searchDeadline = Long.MAX_VALUE;
    private InetSocketAddress firstHop;
    private final long[] seekSentAt;
    private int seekAnswers;
    private long seekRttSum;
    private InetSocketAddress seekLastHop;
    private final List<Candidate> reports = new ArrayList<>();
    private final Set<InetSocketAddress> asked = new LinkedHashSet<>();
    private final Set<InetSocketAddress> expanders = new LinkedHashSet<>();
    private Candidate fallback;
    private long dropped;

    public Warp(WarpConfig config, InetSocketAddress self, List<InetSocketAddress> neighbours, Out out, RandomGenerator random) {
        this.config = config;
        this.self = self;
        this.selfId = idOf(self);
        this.neighbours = List.copyOf(neighbours);
        this.out = out;
        this.random = random;
        this.seekSentAt = new long[config.probes()];
    }

    /** New neighbours (the DHT's routing table changed): searches from now on ask them. */
    public void neighbours(List<InetSocketAddress> neighbours) {
        this.neighbours = List.copyOf(neighbours);
    }

    /** An agent's overlay id. */
    public static NodeId idOf(InetSocketAddress agent) {
        String hostPort = (agent.isUnresolved() ? agent.getHostString() : agent.getAddress().getHostAddress()) + ":" + agent.getPort();
        return NodeId.hash(hostPort.getBytes(StandardCharsets.US_ASCII));
    }

    // ---- the source

    /** The direct path to {@code destination} is down: phase 1. */
    public void search(InetSocketAddress destination, long now) {
        this.destination = destination;
        search = random.nextLong();
        searchDeadline = now + config.searchTimeout().toMillis();
        fallback = null;
        asked.clear();
        expanders.clear();
        reports.clear();
        firstHop = nextHop(destination, null, null, true);
        if (firstHop == null) {
            phase = Phase.IDLE;
            return;
        }
        phase = Phase.SEEK;
        seekAnswers = 0;
        seekRttSum = 0;
        seekLastHop = null;
        phaseDeadline = now + config.seekTimeout().toMillis();
        for (int seq = 0; seq < config.probes(); seq++) {
            seekSentAt[seq] = now;
            out.send(firstHop, new Seek(search, seq, self, destination, 1));
        }
    }

    /** The search is over: a relay was taken elsewhere, or the direct path is back. */
    public void stop() {
        phase = Phase.IDLE;
        phaseDeadline = Long.MAX_VALUE;
        searchDeadline = Long.MAX_VALUE;
    }

    public boolean searching() {
        return phase != Phase.IDLE;
    }

    private void onSeekAck(SeekAck a, long now) {
        if (phase != Phase.SEEK || a.search() != search || a.seq() < 0 || a.seq() >= config.probes() || seekSentAt[a.seq()] < 0) {
            return;
        }
        seekRttSum += now - seekSentAt[a.seq()];
        seekSentAt[a.seq()] = -1;
        seekAnswers++;
        seekLastHop = a.lastHop();
        if (seekAnswers == config.probes()) {
            endSeek(now);
        }
    }

    private void endSeek(long now) {
        if (seekAnswers > 0) {
            Measured m = new Measured(search, false, config.probes(), seekAnswers, seekRttSum / seekAnswers);
            if (offer(new Candidate(seekLastHop, "seek", m))) {
                return;
            }
        }
        phase = Phase.TRACE;
        phaseDeadline = now + config.traceTimeout().toMillis();
        out.send(firstHop, new Trace(search, self, destination, 1));
    }

    private void endTrace(long now) {
        Candidate best = null;
        for (Candidate c : reports) {
            if (config.sufficient(c.performance()) && (best == null || c.performance().rttMillis() < best.performance().rttMillis())) {
                best = c;
            }
        }
        if (best != null) {
            take(best);
            return;
        }
        phase = Phase.EXTEND;
        extend(firstHop, now);
    }

    private void extend(InetSocketAddress expander, long now) {
        expanders.add(expander);
        phaseDeadline = now + config.askTimeout().toMillis();
        List<InetSocketAddress> exclude = new ArrayList<>(expanders);
        exclude.addAll(asked);
        out.send(expander, new Extend(search, self, destination, exclude.subList(0, Math.min(exclude.size(), MAX_ASKED))));
    }

    private void endExtendStep(long now) {
        for (InetSocketAddress peer : asked) {
            if (!expanders.contains(peer)) {
                extend(peer, now);
                return;
            }
        }
        endSearch(now);
    }

    private void endSearch(long now) {
        if (fallback != null) {
            take(fallback);
        } else {
            search(destination, now);
        }
    }

    private void onMeasured(InetSocketAddress from, Measured m) {
        if (m.search() != search || phase == Phase.IDLE || m.sent() < 1 || m.answered() > m.sent()) {
            return;
        }
        if (m.asked()) {
            asked.add(from);
            if (phase == Phase.EXTEND) {
                offer(new Candidate(from, "extend", m));
            }
        } else if (phase == Phase.TRACE && m.answered() > 0) {
            reports.add(new Candidate(from, "trace", m));
            keepAsFallback(new Candidate(from, "trace", m));
        }
    }

    /** Takes the candidate if its performance suffices, else keeps it as the fallback if it is the best seen; whether it was taken. */
    private boolean offer(Candidate c) {
        if (config.sufficient(c.performance())) {
            take(c);
            return true;
        }
        keepAsFallback(c);
        return false;
    }

    private void keepAsFallback(Candidate c) {
        if (c.performance().answered() > 0 && (fallback == null || better(c.performance(), fallback.performance()))) {
            fallback = c;
        }
    }

    private static boolean better(Measured a, Measured b) {
        return a.loss() < b.loss() || (a.loss() == b.loss() && a.rttMillis() < b.rttMillis());
    }

    private void take(Candidate c) {
        stop();
        out.found(c.relay(), c.phase(), c.performance());
    }

    // ---- every node

    public void on(InetSocketAddress from, WarpMessage message, long now) {
        switch (message) {
            case Seek s -> onSeek(from, s);
            case SeekAck a when from.equals(destination) -> onSeekAck(a, now);
            case SeekAck a -> dropped++;
            case Trace t -> onTrace(t, from, now);
            case Extend e -> onExtend(e);
            case Ask a -> measure(a.origin(), a.search(), true, a.destination(), now);
            case Measured m -> onMeasured(from, m);
        }
    }

    private void onSeek(InetSocketAddress from, Seek s) {
        if (s.destination().equals(self)) {
            out.send(s.origin(), new SeekAck(s.search(), s.seq(), from));
            return;
        }
        if (s.hops() >= config.maxHops()) {
            dropped++;
            return;
        }
        InetSocketAddress next = nextHop(s.destination(), s.origin(), from, false);
        out.send(next == null ? s.destination() : next, new Seek(s.search(), s.seq(), s.origin(), s.destination(), s.hops() + 1));
    }

    private void onTrace(Trace t, InetSocketAddress from, long now) {
        measure(t.origin(), t.search(), false, t.destination(), now);
        InetSocketAddress next = nextHop(t.destination(), t.origin(), from, false);
        if (next != null && t.hops() < config.maxHops()) {
            out.send(next, new Trace(t.search(), t.origin(), t.destination(), t.hops() + 1));
        }
    }

    private void onExtend(Extend e) {
        int sent = 0;
        for (InetSocketAddress n : neighbours) {
            if (sent == config.k()) {
                break;
            }
            if (!n.equals(e.origin()) && !n.equals(e.destination()) && !e.asked().contains(n)) {
                out.send(n, new Ask(e.search(), e.origin(), e.destination()));
                sent++;
            }
        }
    }

    /**
     * The overlay's next hop towards the destination's id: the neighbour closest to it (not the
     * origin or the previous hop); from the source any neighbour, further on only one closer
     * than this node. Null: none (the seeker then goes to the destination over IP).
     */
    private InetSocketAddress nextHop(InetSocketAddress to, InetSocketAddress origin, InetSocketAddress previous, boolean atSource) {
        NodeId target = idOf(to);
        InetSocketAddress best = null;
        NodeId bestId = atSource ? null : selfId;
        for (InetSocketAddress n : neighbours) {
            if (n.equals(origin) || n.equals(previous) || n.equals(to)) {
                continue;
            }
            NodeId id = idOf(n);
            if (bestId == null || target.compareDistance(id, bestId) < 0) {
                best = n;
                bestId = id;
            }
        }
        return best;
    }

    private void measure(InetSocketAddress origin, long search, boolean asked, InetSocketAddress destination, long now) {
        if (measurements.size() >= MAX_MEASUREMENTS) {
            dropped++;
            return;
        }
        Measurement m = new Measurement(origin, search, asked, now + config.probeTimeout().toMillis());
        measurements.add(m);
        for (int i = 0; i < config.probes(); i++) {
            long id = random.nextLong();
            m.sentAt.put(id, now);
            byProbe.put(id, m);
            out.probe(destination, id);
        }
    }

    /** An answer to a probe; false if it was not one of WARP's. */
    public boolean onProbeAck(long probeId, long now) {
        Measurement m = byProbe.remove(probeId);
        if (m == null) {
            return false;
        }
        m.rttSum += now - m.sentAt.remove(probeId);
        m.answered++;
        if (m.sentAt.isEmpty()) {
            measurements.remove(m);
            report(m);
        }
        return true;
    }

    private void report(Measurement m) {
        if (m.asked || m.answered > 0) {
            out.send(m.origin, new Measured(m.search, m.asked, config.probes(), m.answered, m.answered == 0 ? 0 : m.rttSum / m.answered));
        }
    }

    public long nextDueMillis() {
        long due = Math.min(phaseDeadline, searchDeadline);
        for (Measurement m : measurements) {
            due = Math.min(due, m.deadline);
        }
        return due;
    }

    public void onTimer(long now) {
        for (Iterator<Measurement> i = measurements.iterator(); i.hasNext(); ) {
            Measurement m = i.next();
            if (m.deadline <= now) {
                i.remove();
                m.sentAt.keySet().forEach(byProbe::remove);
                report(m);
            }
        }
        if (now >= searchDeadline) {
            endSearch(now);
        } else if (now >= phaseDeadline) {
            switch (phase) {
                case SEEK -> endSeek(now);
                case TRACE -> endTrace(now);
                case EXTEND -> endExtendStep(now);
                case IDLE -> phaseDeadline = Long.MAX_VALUE;
            }
        }
    }

    /** Seekers past the hop bound, seeker answers not from the destination, measurements refused when too many were under way. */
    public long dropped() {
        return dropped;
    }
}
