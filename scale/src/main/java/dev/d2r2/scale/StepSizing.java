package dev.d2r2.scale;

/**
 * Target tracking: how many instances carry a load, and how far one decision may move towards
 * that. HPA's formula, {@code ceil(current × metric / target)}, with the metric as the pool's
 * total: the count that brings the load per instance to its target, at most {@code largestStep}
 * away from now, within min and max. HPA lets a scale-up at most double the pool per 15 s sync
 * (and its 75 % target grows it ≤ 33 % a cycle), so a 5× spike takes several cycles; here it
 * takes one decision.
 */
public final class StepSizing {
    private StepSizing() {
    }

    /**
     * The instance count to move to.
     *
     * @param current     instances now (serving or on their way)
     * @param load        the tracked metric summed over the pool (e.g. calls per second at the edge)
     * @param perInstance the metric's target value per instance
     */
    public static int desired(int current, double load, double perInstance, int min, int max, int largestStep) {
        if (min < 1 || max < min || largestStep < 1 || !(perInstance > 0) || current < 0) {
            throw new IllegalArgumentException("bad sizing bounds: current " + current + ", min " + min + ", max " + max
                    + ", largest step " + largestStep + ", per instance " + perInstance);
        }
        double needed = Double.isNaN(load) || load <= 0 ? 0 : Math.ceil(load / perInstance - 1e-9);
        int wanted = (int) Math.min(max, Math.max(min, needed));
        int step = Math.max(-largestStep, Math.min(largestStep, wanted - current));
        return Math.max(min, Math.min(max, current + step));
    }
}
