package dev.d2r2.p2psip.model;

import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;

/**
 * The reliability cost model of Pr2-P2PSIP (ResumeNet D3.1b, Appendix B §3.2, eqs. 12–18): a
 * user agent is reachable while one of its m storage replicas and one of its q inbound tunnels of
 * p hops are all online; each peer seen online at a refresh is still online one refresh period
 * later with probability µ. The cost is the m + pq peers a user agent occupies.
 *
 * <p>The integer optimum is found by enumerating m (for each m the smallest q that meets the
 * target follows from eq. 17), so it is exact; the seed instead optimised over the split of the
 * target between storage and forwarding, which is what {@link #continuousCost} does with the
 * ceilings relaxed.
 */
public final class TunnelModel {
    /** Targets met to within this relative slack count as met: 5 replicas at µ = 0.9 give exactly 1 − 10⁻⁵. */
    private static final double SLACK = 1e-9;
    private final double target;

    /** @param target the reachability to reach, R̄ (the seed: 1 − 10⁻⁵) */
    public TunnelModel(double target) {
        if (!(target > 0 && target < 1)) {
            throw new IllegalArgumentException("the target reachability must be in (0, 1), not " + target);
        }
        this.target = target;
    }

    public double target() {
        return target;
    }

    /** A sizing: m storage replicas and q inbound tunnels of p hops. */
    public record Sizing(int p, int m, int q) {
        public int cost() {
            return m + p * q;
        }

        /** Eq. 18's left side: the chance that a replica and a whole tunnel survive one period. */
        public double reachability(double mu) {
            double storage = Reliability.parallel(mu, m);
            return p == 0 ? storage : storage * Reliability.parallel(Reliability.series(mu, p), q);
        }
    }

    /** Eq. 13: the replicas plain P2PSIP needs (p = 0). */
    public int plainReplicas(double mu) {
        checkMu(mu);
        return ceiling(Math.log(1 - target) / Math.log(1 - mu));
    }

    /** The cheapest integer sizing for tunnels of {@code p} hops (p = 0: plain P2PSIP). */
    public Sizing optimum(double mu, int p) {
        checkMu(mu);
        if (p < 0) {
            throw new IllegalArgumentException("a tunnel has 0 or more hops, not " + p);
        }
        int m0 = plainReplicas(mu);
        if (p == 0) {
            return new Sizing(0, m0, 0);
        }
        Sizing best = null;
        for (int m = m0; ; m++) {
            double forwardingMiss = 1 - target / Reliability.parallel(mu, m);
            if (forwardingMiss <= SLACK * (1 - target)) {
                continue; // the replicas use up the whole allowed miss: no number of tunnels is enough
            }
            int q = ceiling(Math.log(forwardingMiss) / Math.log(1 - Reliability.series(mu, p)));
            Sizing s = new Sizing(p, m, Math.max(q, 1));
            if (best == null || s.cost() < best.cost()) {
                best = s;
            }
            // every sizing with more replicas costs at least m + 1 + p (one tunnel at the least)
            if (m + 1 + p >= best.cost()) {
                return best;
            }
        }
    }

    /** The cost with the ceilings relaxed, minimised over the split R̄ = R̄s·R̄f (Figures 12 and 13). */
    public double continuousCost(double mu, int p) {
        checkMu(mu);
        double m0 = Math.log(1 - target) / Math.log(1 - mu);
        if (p == 0) {
            return m0;
        }
        double logMiss = Math.log(1 - target);
        double tunnelLog = Math.log(1 - Reliability.series(mu, p));
        // x = ln(1 − R̄s): the storage part's share of the allowed miss, below ln(1 − R̄) (the forwarding part's share is the rest)
        UnivariateObjectiveFunction cost = new UnivariateObjectiveFunction(x -> {
            double forwardingMiss = 1 - target / (1 - Math.exp(x));
            return x / Math.log(1 - mu) + p * Math.log(forwardingMiss) / tunnelLog;
        });
        return new BrentOptimizer(1e-12, 1e-14)
                .optimize(new MaxEval(10_000), cost, GoalType.MINIMIZE, new SearchInterval(logMiss - 60, logMiss - 1e-9))
                .getValue();
    }

    private static int ceiling(double x) {
        return (int) Math.ceil(x - SLACK * Math.abs(x));
    }

    private static void checkMu(double mu) {
        if (!(mu > 0 && mu < 1)) {
            throw new IllegalArgumentException("µ is a probability in (0, 1), not " + mu);
        }
    }
}
