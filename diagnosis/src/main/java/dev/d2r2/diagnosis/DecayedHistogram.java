package dev.d2r2.diagnosis;

/**
 * How often a peer was in each profile, the past weighing less: each window multiplies every
 * count by {@code decay} before adding one to the profile of that window. It may start from a
 * prior instead of empty (see {@link Diagnoser}).
 */
public final class DecayedHistogram {
    private final double[] counts;
    private final double decay;

    public DecayedHistogram(int bins, double decay) {
        this(new double[Math.max(0, bins)], decay);
    }

    /** A histogram whose counts start as {@code prior} (copied). */
    public DecayedHistogram(double[] prior, double decay) {
        if (prior.length < 1) {
            throw new IllegalArgumentException("a histogram needs a bin");
        }
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("decay must be in (0, 1), not " + decay);
        }
        for (double c : prior) {
            if (!(c >= 0) || !Double.isFinite(c)) {
                throw new IllegalArgumentException("a prior count is " + c + "; counts are 0 or more");
            }
        }
        this.counts = prior.clone();
        this.decay = decay;
    }

    /** The mass a histogram tends to, one count a window: 1 / (1 - decay). */
    public static double steadyMass(double decay) {
        return 1 / (1 - decay);
    }

    public void add(int bin) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] *= decay;
        }
        counts[bin] += 1;
    }

    /** The counts themselves (read only: the histogram owns them). */
    public double[] counts() {
        return counts;
    }

    /** The counts as a distribution (a copy). */
    public double[] distribution() {
        double total = 0;
        for (double c : counts) {
            total += c;
        }
        double[] d = new double[counts.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = total == 0 ? 0 : counts[i] / total;
        }
        return d;
    }
}
