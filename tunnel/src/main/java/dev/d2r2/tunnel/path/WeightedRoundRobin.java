package dev.d2r2.tunnel.path;

/**
 * Smooth weighted round robin (as nginx spreads over upstreams): each pick adds every path's
 * weight to its credit, takes the path with the most credit and charges it the total. Over any
 * run of {@code total} picks each path is picked {@code weight} times, interleaved rather than in
 * bursts. The weights arrive as a whole new array from another thread ({@link #use}); the credits
 * carry over to new weights (a path weighted 0 starts again from none). Picks are made by one
 * thread and allocate nothing.
 */
public final class WeightedRoundRobin {
    private volatile int[] published;
    private int[] weights;
    private final int[] credit;

    public WeightedRoundRobin(int paths) {
        this.credit = new int[paths];
        this.weights = new int[paths];
        this.published = weights;
    }

    /** Replaces the weights (an array this object keeps and nobody changes afterwards). */
    public void use(int[] newWeights) {
        if (newWeights.length != credit.length) {
            throw new IllegalArgumentException(credit.length + " weights expected");
        }
        published = newWeights;
    }

    /** The next path, or -1 when every weight is zero. */
    public int next() {
        int[] w = published;
        if (w != weights) {
            weights = w;
            // credits carry over: the role publishes new weights every probe round, and starting
            // afresh each time would starve a light path that needs more picks than a round holds
            for (int i = 0; i < w.length; i++) {
                if (w[i] <= 0) {
                    credit[i] = 0;
                }
            }
        }
        int total = 0;
        int best = -1;
        for (int i = 0; i < w.length; i++) {
            if (w[i] <= 0) {
                continue;
            }
            credit[i] += w[i];
            total += w[i];
            if (best < 0 || credit[i] > credit[best]) {
                best = i;
            }
        }
        if (best >= 0) {
            credit[best] -= total;
        }
        return best;
    }
}
