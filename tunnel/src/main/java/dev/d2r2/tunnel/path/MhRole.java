package dev.d2r2.tunnel.path;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.ErrorLog;
import dev.d2r2.tunnel.events.PathScored;
import dev.d2r2.tunnel.events.PathStateChanged;
import dev.d2r2.tunnel.events.PathSwitched;
import dev.d2r2.tunnel.events.TunnelStatus;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.PacketMac;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The multihomed endpoint's control side, on one thread: every {@code probe.every} it sends a
 * sequence-numbered probe on each path and re-scores the paths from their {@link PathMeter}s, the
 * {@link TrustBook} and the {@link ScoreWeights}; the {@link PathSelector} decides, and the new
 * spread goes to the senders. Path liveness changes, switches and (every {@code score-every}) the
 * scores are events. A trust change is applied at once; a peer whose trust falls below
 * {@code refuse-below} is refused: its frames are dropped and nothing goes to it.
 */
final class MhRole implements Agent {
    private final MhConfig config;
    private final Links links;
    private final PacketMac mac;
    private final Clock clock;
    private final LongSupplier nanos;
    private final Consumer<Event> events;
    private final PathMeter[] meters;
    private final boolean[] up;
    private final boolean[] usable;
    private final double[] cost;
    private final double[] penalty;
    private final ScoreWeights weights;
    private final TrustBook trust;
    private final PathSelector selector;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64);
    private final ErrorLog errors;
    private final long probeEveryMillis;
    private final long scoreEveryMillis;
    private long nextProbeAt;
    private long nextScoreAt;

    MhRole(MhConfig config, Links links, PacketMac mac, Clock clock, LongSupplier nanos, Consumer<Event> events) {
        this.config = config;
        this.links = links;
        this.mac = mac;
        this.clock = clock;
        this.nanos = nanos;
        this.events = events;
        int n = links.size();
        this.meters = new PathMeter[n];
        this.penalty = new double[n];
        for (int i = 0; i < n; i++) {
            meters[i] = new PathMeter(config.probe().window(), config.probe().lossAfter().toNanos(), config.probe().downAfter().toNanos());
            penalty[i] = config.paths().get(i).penaltyOrZero();
        }
        this.up = new boolean[n];
        this.usable = new boolean[n];
        this.cost = new double[n];
        this.weights = config.weights().score();
        this.trust = new TrustBook(config.trust().indictment(), config.trust().refuseBelow());
        this.selector = new PathSelector(config.selectorMode(), n, config.hysteresis().margin(), config.hysteresis().hold().toNanos());
        this.errors = new ErrorLog(LoggerFactory.getLogger(MhRole.class), clock, 10_000);
        this.probeEveryMillis = config.probe().every().toMillis();
        this.scoreEveryMillis = config.scoreEvery().toMillis();
    }

    @Override
    public String roleName() {
        return "tunnel-mh-" + config.name();
    }

    @Override
    public void onStart() {
        long now = clock.millis();
        nextProbeAt = now;
        nextScoreAt = now + scoreEveryMillis;
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Echoed e -> meters[e.path()].echoed(e.seq(), e.atNanos());
            case TrustInput t -> {
                switch (t.change()) {
                    case INDICT -> trust.indict(t.subject());
                    case DISTRUST -> trust.distrust(t.subject());
                    case RESTORE -> trust.restore(t.subject());
                }
                evaluate(clock.millis());
            }
            default -> errors.warn("message", "unexpected message " + message.getClass().getSimpleName());
        }
    }

    @Override
    public long nextDueMillis() {
        return Math.min(nextProbeAt, nextScoreAt);
    }

    @Override
    public void onTimer(long now) {
        if (now >= nextProbeAt) {
            if (!links.refused) {
                probeAll();
            }
            evaluate(now);
            nextProbeAt = Math.max(nextProbeAt + probeEveryMillis, now + 1);
        }
        if (now >= nextScoreAt) {
            score(now);
            nextScoreAt = Math.max(nextScoreAt + scoreEveryMillis, now + 1);
        }
    }

    private void probeAll() {
        for (int i = 0; i < links.size(); i++) {
            int seq = meters[i].sent(nanos.getAsLong());
            PathFrame.sealProbe(scratch, PathFrame.PROBE, i, seq, config.tunnel(), links.frameSeq[i].getAndIncrement(), mac);
            try {
                links.channels[i].send(scratch, links.remotes[i]);
            } catch (IOException e) {
                errors.warn("probe", "probe on " + links.names[i] + ": " + e.getMessage());
            }
        }
    }

    private void evaluate(long now) {
        long t = nanos.getAsLong();
        boolean refused = trust.refused(config.peer());
        for (int i = 0; i < links.size(); i++) {
            boolean isUp = meters[i].up(t);
            if (isUp != up[i]) {
                up[i] = isUp;
                events.accept(new PathStateChanged(now, config.name(), state(!isUp), state(isUp), links.names[i], config.peer()).toEvent());
            }
            double pathTrust = trust.trust(links.names[i]);
            usable[i] = isUp && pathTrust > 0 && !refused;
            cost[i] = weights.cost(meters[i].rttNanos(), meters[i].jitterNanos(), meters[i].loss(t), pathTrust, penalty[i]);
        }
        links.refused = refused;
        PathSelector.Switch s = selector.evaluate(usable, cost, t);
        links.spread.use(selector.weights());
        if (s != null) {
            String reason = refused && s.to() < 0 ? "refused" : s.reason();
            events.accept(new PathSwitched(now, config.name(), name(s.from()), name(s.to()), reason, config.peer(), config.mode()).toEvent());
        }
    }

    private void score(long now) {
        long t = nanos.getAsLong();
        int[] w = selector.weights();
        for (int i = 0; i < links.size(); i++) {
            long rtt = meters[i].rttNanos();
            events.accept(new PathScored(now, config.name(), links.names[i], up[i], rtt < 0 ? -1 : rtt / 1000, meters[i].jitterNanos() / 1000,
                    meters[i].loss(t), trust.trust(links.names[i]), Math.round(cost[i] * 1000) / 1000.0, w[i], links.sent.get(i),
                    links.received.get(i)).toEvent());
        }
        long sent = 0;
        long received = 0;
        for (int i = 0; i < links.size(); i++) {
            sent += links.sent.get(i);
            received += links.received.get(i);
        }
        events.accept(new TunnelStatus(now, config.name(), "mh", sent, received, links.drops.get(Drop.MALFORMED),
                links.drops.get(Drop.UNAUTHENTICATED), links.drops.get(Drop.UNKNOWN_TUNNEL) + links.refusedFrames.get(),
                links.noRoute.get(), links.drops.get(Drop.REPLAYED)).toEvent());
    }

    private String name(int path) {
        return path < 0 ? PathSwitched.NONE : links.names[path];
    }

    private static String state(boolean isUp) {
        return isUp ? PathStateChanged.UP : PathStateChanged.DOWN;
    }
}
