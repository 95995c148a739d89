package dev.d2r2.p2psip.model;

/**
 * How many independent replicas keep a value in a P2P network reachable with a target
 * probability, when a replica's lifetime follows the Weibull fit of Skype supernode lifetimes
 * (ResumeNet D3.1c §3.2.2, Eq. 1: R(t) = exp(−(t/λ)^α), α = 0.52, λ = 8.84, in units the
 * document does not state). The document claims 6 replicas for three nines and 10 for five; it
 * does not say for how long a replica must survive: {@link #horizonFor} gives the horizons t for
 * which a replica count holds, so that the claim can be checked rather than assumed.
 */
public final class ReplicaModel {
    public static final double SKYPE_SCALE = 8.84;
    public static final double SKYPE_SHAPE = 0.52;
    private final double scale;
    private final double shape;

    public ReplicaModel(double scale, double shape) {
        if (!(scale > 0) || !(shape > 0)) {
            throw new IllegalArgumentException("a Weibull fit needs a positive scale and shape");
        }
        this.scale = scale;
        this.shape = shape;
    }

    public static ReplicaModel skype() {
        return new ReplicaModel(SKYPE_SCALE, SKYPE_SHAPE);
    }

    /** Eq. 1: the chance that a replica is still alive after {@code t}. */
    public double survival(double t) {
        return Math.exp(-Math.pow(t / scale, shape));
    }

    /** The fewest replicas of which at least one survives {@code t} with probability {@code target}. */
    public int replicas(double target, double t) {
        if (!(target > 0 && target < 1) || !(t > 0)) {
            throw new IllegalArgumentException("the target is in (0, 1) and the horizon positive");
        }
        double k = Math.log1p(-target) / Math.log1p(-survival(t));
        return (int) Math.ceil(k - 1e-9 * k);
    }

    /** The horizons t for which exactly {@code k} replicas are needed: {low, high}, for t in (low, high]. */
    public double[] horizonFor(int k, double target) {
        // k replicas suffice while the survival r has (1 − r)^k ≤ 1 − target, and k − 1 do not
        double lowSurvival = 1 - Math.pow(1 - target, 1.0 / k);
        double highSurvival = k == 1 ? 1 : 1 - Math.pow(1 - target, 1.0 / (k - 1));
        return new double[]{time(highSurvival), time(lowSurvival)};
    }

    private double time(double survival) {
        return survival >= 1 ? 0 : scale * Math.pow(-Math.log(survival), 1 / shape);
    }
}
