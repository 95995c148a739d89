package dev.d2r2.diagnosis;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a group votes. A peer is <em>suspect</em> in a window when its √JSD to more than half of the
 * other voters exceeds the threshold <em>and</em> its vector in that window differs from the vectors
 * of more than half of the others by at least {@code effectFloor} in some metric, in units of that metric's pairwise spread
 * ({@link Profiles#spread}): a relative outlier that is
 * not different in absolute terms is not a culprit (Envoy's over-ejection). A peer found suspect
 * does not vote on the peers judged after it (the farthest are judged first). It is indicted after
 * {@code consecutive} suspect windows and cleared after {@code clearAfter} windows that are not.
 *
 * @param decay       each window multiplies a peer's histogram by this before adding its profile
 * @param warmup      windows a peer must have been seen in before it votes or can be voted out
 */
public record VoteSettings(double decay, int consecutive, @JsonProperty("clear-after") int clearAfter,
                           @JsonProperty("effect-floor") double effectFloor, int warmup) {
    /**
     * The effect floor is 3: healthy servers were seen 2.4 to 3.4 spreads apart in one metric for two
     * windows running (a few page faults every server has every few minutes, a quieter second's fewer packets sent),
     * and indicted at a floor of 2; the faults of {@code bench/diagnosis.sh} were 5 to 40 apart.
     */
    public static final VoteSettings DEFAULTS = new VoteSettings(0.8, 2, 2, 3.0, 3);
    /** Fewer peers than this cannot vote: with two, neither is the odd one out. */
    public static final int MIN_PEERS = 3;

    public VoteSettings {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("decay must be in (0, 1), not " + decay);
        }
        if (consecutive < 1 || clearAfter < 1 || warmup < 1) {
            throw new IllegalArgumentException("consecutive, clear-after and warmup are at least 1");
        }
        if (!(effectFloor >= 0) || !Double.isFinite(effectFloor)) {
            throw new IllegalArgumentException("effect-floor must be 0 or more, not " + effectFloor);
        }
    }
}
