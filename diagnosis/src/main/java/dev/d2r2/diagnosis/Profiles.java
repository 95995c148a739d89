package dev.d2r2.diagnosis;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

import java.util.Arrays;
import java.util.List;

/**
 * What training learned: the metric set (sample types, in vector order), the normalisation, the
 * K profiles (centroids in normalised space) with the number of training vectors in each, the
 * range of each metric in training (normalised), beyond which a vector is like none of them, the window the vectors were averaged over,
 * the vote settings, and the threshold on √JSD under which the training data indicted nobody.
 *
 * <p>Training sees no faults, so a faulty peer's vector is often far from every profile; mapped to
 * the nearest one anyway it would look like a healthy peer at the edge of the normal range. A
 * vector with any metric more than {@link #SLACK} beyond that metric's training range goes instead
 * to one more bin, {@link #k()}: "like no profile". The range is per metric because a fault
 * usually moves one metric (a CPU hog, CPU): a distance over all metrics would dilute it.
 *
 * <p>{@code held} marks the rates the vote holds over a few windows ({@link Hold}): the fault
 * rates, zero in health. Absent (profiles trained before it): none.
 *
 * <p>{@code spread} is, per metric, how far apart healthy peers are in one window (normalised
 * units, at least {@link #MIN_SPREAD}): the unit of the vote's absolute effect. Absent (profiles
 * trained before it): {@link #MIN_SPREAD} for every metric.
 */
public record Profiles(List<String> metrics, @JsonProperty("window-ms") long windowMs, Normaliser normaliser,
                       double[][] centroids, long[] sizes, double[] low, double[] high, boolean[] held,
                       @JsonProperty("pairwise-spread") double[] spread, double threshold, VoteSettings vote) {
    /** How far beyond its training range (normalised units) a metric may go and still be like a profile. */
    public static final double SLACK = 1.0;
    /**
     * The least spread, one normalised unit: a metric whose healthy peers were closer than that in training (one that barely
     * moves) keeps the effect's unit, so that its smallest wobble is not a large effect.
     */
    public static final double MIN_SPREAD = 1.0;

    public Profiles {
        if (metrics == null || metrics.isEmpty()) {
            throw new InvalidAt("profiles need metrics", "metrics");
        }
        metrics = List.copyOf(metrics);
        if (windowMs <= 0) {
            throw new InvalidAt("window-ms must be positive", "window-ms");
        }
        if (normaliser == null || normaliser.dimensions() != metrics.size()) {
            throw new InvalidAt("the normaliser has " + (normaliser == null ? 0 : normaliser.dimensions())
                    + " dimensions for " + metrics.size() + " metrics", "normaliser");
        }
        if (centroids == null || centroids.length == 0) {
            throw new InvalidAt("profiles need at least one centroid", "centroids");
        }
        for (double[] c : centroids) {
            if (c.length != metrics.size()) {
                throw new InvalidAt("a centroid has " + c.length + " values for " + metrics.size() + " metrics", "centroids");
            }
        }
        if (sizes == null || sizes.length != centroids.length) {
            throw new InvalidAt("sizes must give one count per centroid", "sizes");
        }
        if (low == null || low.length != metrics.size()) {
            throw new InvalidAt("low must give one value per metric", "low");
        }
        if (high == null || high.length != metrics.size()) {
            throw new InvalidAt("high must give one value per metric", "high");
        }
        if (held == null) {
            held = new boolean[metrics.size()];
        }
        if (held.length != metrics.size()) {
            throw new InvalidAt("held must give one value per metric", "held");
        }
        if (spread == null) {
            spread = new double[metrics.size()];
            Arrays.fill(spread, MIN_SPREAD);
        }
        if (spread.length != metrics.size()) {
            throw new InvalidAt("pairwise-spread must give one value per metric", "pairwise-spread");
        }
        for (double x : spread) {
            if (!(x >= MIN_SPREAD) || !Double.isFinite(x)) {
                throw new InvalidAt("a pairwise spread is at least " + MIN_SPREAD + ", not " + x, "pairwise-spread");
            }
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new InvalidAt("threshold must be in (0, 1], not " + threshold, "threshold");
        }
        if (vote == null) {
            throw new InvalidAt("profiles need vote settings", "vote");
        }
    }

    public int k() {
        return centroids.length;
    }

    /** The bins of a peer's histogram: the profiles and "like no profile". */
    public int bins() {
        return centroids.length + 1;
    }

    /** The profile nearest to a normalised vector (Euclidean), or {@link #k()} when a metric is out of its training range. */
    public int nearest(double[] normalised) {
        for (int i = 0; i < normalised.length; i++) {
            if (normalised[i] < low[i] - SLACK || normalised[i] > high[i] + SLACK) {
                return centroids.length;
            }
        }
        int best = 0;
        double bestDistance = Double.MAX_VALUE;
        for (int k = 0; k < centroids.length; k++) {
            double d = 0;
            for (int i = 0; i < normalised.length; i++) {
                double diff = normalised[i] - centroids[k][i];
                d += diff * diff;
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    public Profiles withThreshold(double newThreshold) {
        return new Profiles(metrics, windowMs, normaliser, centroids, sizes, low, high, held, spread, newThreshold, vote);
    }
}
