package dev.d2r2.diagnosis;

/**
 * The square root of the Jensen–Shannon divergence (log base 2) between two histograms, each
 * normalised to a distribution: a metric on distributions, 0 for identical ones and 1 for ones
 * with disjoint support.
 */
public final class Jsd {
    private static final double LN2 = Math.log(2);

    private Jsd() {
    }

    /** Both histograms have the same length and a positive total; counts are not negative. */
    public static double sqrtJsd(double[] p, double[] q) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("histograms of " + p.length + " and " + q.length + " bins");
        }
        double sp = total(p);
        double sq = total(q);
        double divergence = 0;
        for (int i = 0; i < p.length; i++) {
            double a = p[i] / sp;
            double b = q[i] / sq;
            double m = (a + b) / 2;
            divergence += half(a, m) + half(b, m);
        }
        // rounding can leave a tiny negative or a hair above 1
        return Math.sqrt(Math.min(1, Math.max(0, divergence / LN2)));
    }

    private static double half(double x, double m) {
        return x > 0 ? x / 2 * Math.log(x / m) : 0;
    }

    private static double total(double[] h) {
        double s = 0;
        for (double v : h) {
            if (v < 0 || !Double.isFinite(v)) {
                throw new IllegalArgumentException("a histogram count is " + v);
            }
            s += v;
        }
        if (s <= 0) {
            throw new IllegalArgumentException("an empty histogram has no distribution");
        }
        return s;
    }
}
