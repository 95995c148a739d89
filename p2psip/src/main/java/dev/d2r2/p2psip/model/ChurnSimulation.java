package dev.d2r2.p2psip.model;

import org.apache.commons.math3.analysis.solvers.BrentSolver;
import org.apache.commons.math3.special.Gamma;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;

import java.util.SplittableRandom;

/**
 * A discrete-event churn simulation that checks {@link TunnelModel} empirically. Each peer
 * alternates between sessions online, of heavy-tailed Weibull length, and spells offline; user
 * agents refresh every τ (= 1) by choosing m storage peers and q tunnels of p hops among the
 * peers online at that moment, and one refresh period later an agent is unreachable when no
 * storage peer or no whole tunnel stayed online throughout. The Weibull scale is calibrated so
 * that a peer found online is still online τ later with probability µ (its residual session
 * outlasts τ), which is what the model assumes; the simulation measures µ too.
 */
public final class ChurnSimulation {
    /**
     * @param shape  the Weibull shape of session lengths (the Skype fit: 0.52)
     * @param peers  the peers churning
     * @param agents the user agents refreshing at each period (each one a trial per period)
     */
    public record Settings(double mu, TunnelModel.Sizing sizing, double shape, int peers, int agents, long trials, long seed) {
        public Settings {
            if (!(mu > 0 && mu < 1) || !(shape > 0) || agents < 1 || trials < agents) {
                throw new IllegalArgumentException("µ in (0, 1), a positive shape, at least one agent and one period");
            }
            if (peers < 4 * sizing.cost()) {
                throw new IllegalArgumentException("too few peers (" + peers + ") for agents that each need "
                        + sizing.cost() + " online at once");
            }
        }
    }

    /** What one run found, beside what the model predicts. */
    public record Result(long trials, long unreachable, double measuredMu, double predicted, double low, double high) {
        public double unreachability() {
            return (double) unreachable / trials;
        }

        /** Whether the model's prediction lies inside the run's 95 % confidence interval. */
        public boolean agrees() {
            return predicted >= low && predicted <= high;
        }
    }

    private final Settings settings;
    private final SplittableRandom random;
    private final double scale;
    private final double offMean;
    private final double[] until;
    private final boolean[] online;

    public ChurnSimulation(Settings settings) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        this.scale = calibratedScale(settings.mu(), settings.shape());
        this.offMean = scale * Gamma.gamma(1 + 1 / settings.shape());
        this.until = new double[settings.peers()];
        this.online = new boolean[settings.peers()];
    }

    /** The Weibull scale λ for which a residual session outlasts τ = 1 with probability µ: Q(1/α, (1/λ)^α) = µ. */
    static double calibratedScale(double mu, double shape) {
        double a = 1 / shape;
        // Q falls from 1 to 0 as x = (1/λ)^α grows, so the root in x is unique
        double x = new BrentSolver(1e-14).solve(1_000, v -> Gamma.regularizedGammaQ(a, v) - mu, 1e-12, 1e4);
        return Math.pow(x, -1 / shape);
    }

    public Result run() {
        int n = settings.peers();
        for (int i = 0; i < n; i++) {
            online[i] = random.nextBoolean();
            until[i] = online[i] ? session() : offline();
        }
        // long enough for the heavy tail to reach its steady state before anything is counted
        double now = 200 * offMean;
        int[] candidates = new int[n];
        long trials = 0;
        long unreachable = 0;
        long chosen = 0;
        long survived = 0;
        TunnelModel.Sizing s = settings.sizing();
        int need = s.m() + s.p() * s.q();
        while (trials < settings.trials()) {
            int up = advanceTo(now, candidates);
            for (int agent = 0; agent < settings.agents() && trials < settings.trials(); agent++, trials++) {
                shuffleHead(candidates, up, need);
                double end = now + 1;
                boolean stored = false;
                for (int i = 0; i < s.m(); i++) {
                    boolean alive = until[candidates[i]] > end;
                    stored |= alive;
                    survived += alive ? 1 : 0;
                }
                boolean tunnelled = s.p() == 0;
                for (int t = 0; t < s.q(); t++) {
                    boolean whole = true;
                    for (int h = 0; h < s.p(); h++) {
                        boolean alive = until[candidates[s.m() + t * s.p() + h]] > end;
                        whole &= alive;
                        survived += alive ? 1 : 0;
                    }
                    tunnelled |= whole;
                }
                chosen += need;
                unreachable += stored && tunnelled ? 0 : 1;
            }
            now += 1;
        }
        ConfidenceInterval ci = new WilsonScoreInterval().createInterval(Math.toIntExact(trials), Math.toIntExact(unreachable), 0.95);
        double predicted = 1 - s.reachability(settings.mu());
        return new Result(trials, unreachable, (double) survived / chosen, predicted, ci.getLowerBound(), ci.getUpperBound());
    }

    /** Moves every peer's alternating sessions up to {@code now}; fills {@code into} with the peers online then. */
    private int advanceTo(double now, int[] into) {
        int up = 0;
        for (int i = 0; i < until.length; i++) {
            while (until[i] <= now) {
                online[i] = !online[i];
                until[i] += online[i] ? session() : offline();
            }
            if (online[i]) {
                into[up++] = i;
            }
        }
        if (up < 2 * (settings.sizing().cost())) {
            throw new IllegalStateException("only " + up + " peers online: add peers");
        }
        return up;
    }

    /** Puts {@code k} peers drawn without replacement from the first {@code n} at the head of the array. */
    private void shuffleHead(int[] a, int n, int k) {
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private double session() {
        return scale * Math.pow(-Math.log(1 - random.nextDouble()), 1 / settings.shape());
    }

    private double offline() {
        return -offMean * Math.log(1 - random.nextDouble());
    }
}
