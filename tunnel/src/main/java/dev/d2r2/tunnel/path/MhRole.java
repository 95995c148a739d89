package dev.d2r2.tunnel.path;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.ErrorLog;
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
    private final PathBoard board;
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
        double[] penalty = new double[n];
        for (int i = 0; i < n; i++) {
            penalty[i] = config.paths().get(i).penaltyOrZero();
        }
        this.board = new PathBoard(config.name(), links.names, penalty, config.probe(), config.weights().score(), config.hysteresis(),
                new TrustBook(config.trust()), config.selectorMode(), links.spread, events);
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
            case Echoed e -> board.echoed(e.path(), e.seq(), e.atNanos());
            case TrustInput t -> {
                board.trust().apply(t);
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
            int seq = board.probeSent(i, nanos.getAsLong());
            PathFrame.sealProbe(scratch, PathFrame.PROBE, i, seq, config.tunnel(), links.frameSeq[i].getAndIncrement(), mac);
            try {
                links.channels[i].send(scratch, links.remotes[i]);
            } catch (IOException e) {
                errors.warn("probe", "probe on " + links.names[i] + ": " + e.getMessage());
            }
        }
    }

    private void evaluate(long now) {
        boolean refused = board.trust().refused(config.peer());
        links.refused = refused;
        board.evaluate(now, nanos.getAsLong(), config.peer(), refused);
    }

    private void score(long now) {
        board.score(now, nanos.getAsLong(), links.sent::get, links.received::get);
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
}
