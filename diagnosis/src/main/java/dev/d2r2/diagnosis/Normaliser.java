package dev.d2r2.diagnosis;

import java.util.List;

/**
 * Puts metrics of very different units and spreads on one scale: {@code log1p} (rates and sizes
 * are heavy-tailed, and a change by a factor matters more than by an amount), then centred and
 * divided by the training spread. The spread is at least {@link #MIN_SCALE}: a metric that was
 * constant in training must not turn its smallest wobble into a huge distance.
 */
public record Normaliser(double[] centre, double[] scale) {
    /** In log1p units: a change by a factor of about 1.3. */
    public static final double MIN_SCALE = 0.25;

    public Normaliser {
        if (centre.length != scale.length) {
            throw new IllegalArgumentException("centre has " + centre.length + " values, scale " + scale.length);
        }
        for (double s : scale) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("a scale is " + s + "; scales are positive");
            }
        }
    }

    public static Normaliser fit(List<double[]> raw) {
        double[] least = new double[raw.getFirst().length];
        java.util.Arrays.fill(least, MIN_SCALE);
        return fit(raw, least);
    }

    /** As {@link #fit(List)}, each metric's scale at least {@code least[m]} (itself at least {@link #MIN_SCALE}). */
    public static Normaliser fit(List<double[]> raw, double[] least) {
        int m = raw.getFirst().length;
        double[] mean = new double[m];
        double[] sq = new double[m];
        for (double[] x : raw) {
            for (int d = 0; d < m; d++) {
                double v = squash(x[d]);
                mean[d] += v;
                sq[d] += v * v;
            }
        }
        double[] scale = new double[m];
        for (int d = 0; d < m; d++) {
            mean[d] /= raw.size();
            double variance = Math.max(0, sq[d] / raw.size() - mean[d] * mean[d]);
            scale[d] = Math.max(Math.max(MIN_SCALE, least[d]), Math.sqrt(variance));
        }
        return new Normaliser(mean, scale);
    }

    public int dimensions() {
        return centre.length;
    }

    /** Writes the normalised {@code raw} into {@code out}. */
    public void apply(double[] raw, double[] out) {
        for (int d = 0; d < centre.length; d++) {
            out[d] = (squash(raw[d]) - centre[d]) / scale[d];
        }
    }

    public double[] apply(double[] raw) {
        double[] out = new double[raw.length];
        apply(raw, out);
        return out;
    }

    private static double squash(double v) {
        return Math.log1p(Math.max(0, v));
    }
}
