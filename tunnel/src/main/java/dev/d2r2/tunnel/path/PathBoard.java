package dev.d2r2.tunnel.path;

import dev.d2r2.core.Event;
import dev.d2r2.tunnel.events.PathScored;
import dev.d2r2.tunnel.events.PathStateChanged;
import dev.d2r2.tunnel.events.PathSwitched;

import java.util.function.Consumer;
import java.util.function.IntToLongFunction;

/**
 * The scoring and choosing shared by every multihomed sender ({@code d2r2 tunnel mh} and the EN's
 * uplinks): a {@link PathMeter} per path, the {@link TrustBook}, the {@link ScoreWeights} and the
 * {@link PathSelector}, whose spread it publishes to the {@link WeightedRoundRobin} that the sending
 * thread picks from. Liveness changes and switches are {@code tunnel.path} events. Owned by one
 * thread (the role's), but for {@link #spread}'s picks.
 */
public final class PathBoard {
    private final String endpoint;
    private final String[] names;
    private final PathMeter[] meters;
    private final double[] penalty;
    private final boolean[] up;
    private final boolean[] usable;
    private final double[] cost;
    private final ScoreWeights weights;
    private final TrustBook trust;
    private final PathSelector selector;
    private final WeightedRoundRobin spread;
    private final String mode;
    private final Consumer<Event> events;

    public PathBoard(String endpoint, String[] names, double[] penalty, MhConfig.Probe probe, ScoreWeights weights,
                     MhConfig.Hysteresis hysteresis, TrustBook trust, PathSelector.Mode mode, WeightedRoundRobin spread,
                     Consumer<Event> events) {
        this.endpoint = endpoint;
        this.names = names.clone();
        this.penalty = penalty.clone();
        int n = names.length;
        this.meters = new PathMeter[n];
        for (int i = 0; i < n; i++) {
            meters[i] = new PathMeter(probe.window(), probe.lossAfter().toNanos(), probe.downAfter().toNanos());
        }
        this.up = new boolean[n];
        this.usable = new boolean[n];
        this.cost = new double[n];
        this.weights = weights;
        this.trust = trust;
        this.selector = new PathSelector(mode, n, hysteresis.margin(), hysteresis.hold().toNanos());
        this.spread = spread;
        this.mode = mode.key();
        this.events = events;
    }

    public int size() {
        return names.length;
    }

    public String name(int path) {
        return path < 0 ? PathSwitched.NONE : names[path];
    }

    public TrustBook trust() {
        return trust;
    }

    /** The active (or, concurrent, leading) path; -1 with none. */
    public int active() {
        return selector.active();
    }

    /** Records a probe sent on {@code path} now; returns its sequence number. */
    public int probeSent(int path, long nowNanos) {
        return meters[path].sent(nowNanos);
    }

    public void echoed(int path, int seq, long nowNanos) {
        if (path >= 0 && path < meters.length) {
            meters[path].echoed(seq, nowNanos);
        }
    }

    /**
     * Re-scores every path and lets the selector decide; {@code peer} names the far end in the
     * events, and {@code refused} makes every path unusable. Returns the switch made, or null.
     */
    public PathSelector.Switch evaluate(long now, long nanos, String peer, boolean refused) {
        for (int i = 0; i < names.length; i++) {
            boolean isUp = meters[i].up(nanos);
            if (isUp != up[i]) {
                up[i] = isUp;
                events.accept(new PathStateChanged(now, endpoint, state(!isUp), state(isUp), names[i], peer).toEvent());
            }
            double pathTrust = trust.trust(names[i]);
            usable[i] = isUp && pathTrust > 0 && !refused;
            cost[i] = weights.cost(meters[i].rttNanos(), meters[i].jitterNanos(), meters[i].loss(nanos), pathTrust, penalty[i]);
        }
        PathSelector.Switch s = selector.evaluate(usable, cost, nanos);
        spread.use(selector.weights());
        if (s != null) {
            String reason = refused && s.to() < 0 ? "refused" : s.reason();
            events.accept(new PathSwitched(now, endpoint, name(s.from()), name(s.to()), reason, peer, mode).toEvent());
        }
        return s;
    }

    /** A {@code tunnel.path.scored} event per path, with its data frames sent and received. */
    public void score(long now, long nanos, IntToLongFunction sent, IntToLongFunction received) {
        int[] w = selector.weights();
        for (int i = 0; i < names.length; i++) {
            long rtt = meters[i].rttNanos();
            events.accept(new PathScored(now, endpoint, names[i], up[i], rtt < 0 ? -1 : rtt / 1000, meters[i].jitterNanos() / 1000,
                    meters[i].loss(nanos), trust.trust(names[i]), Math.round(cost[i] * 1000) / 1000.0, w[i], sent.applyAsLong(i),
                    received.applyAsLong(i)).toEvent());
        }
    }

    private static String state(boolean isUp) {
        return isUp ? PathStateChanged.UP : PathStateChanged.DOWN;
    }
}
