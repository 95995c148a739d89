package dev.d2r2.scale;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StepSizingTest {

    @Test
    void aFiveFoldSpikeGetsItsCapacityInOneDecision() {
        // one instance at its target of 80 calls/s, then 5x the load: five instances at once
        assertThat(StepSizing.desired(1, 400, 80, 1, 10, 10)).isEqualTo(5);
        // HPA's default scale-up policy (double per 15 s sync) would need three syncs: 1 → 2 → 4 → 5
        assertThat(StepSizing.desired(2, 1000, 100, 1, 20, 20)).isEqualTo(10);
    }

    @Test
    void boundsWin() {
        assertThat(StepSizing.desired(1, 400, 80, 1, 3, 10)).as("max").isEqualTo(3);
        assertThat(StepSizing.desired(1, 400, 80, 1, 10, 2)).as("largest step").isEqualTo(3);
        assertThat(StepSizing.desired(4, 0, 80, 2, 10, 10)).as("min").isEqualTo(2);
        assertThat(StepSizing.desired(0, 0, 80, 1, 10, 10)).as("an empty pool gets min").isEqualTo(1);
        assertThatThrownBy(() -> StepSizing.desired(1, 10, 0, 1, 2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StepSizing.desired(1, 10, 5, 3, 2, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void alwaysWithinMinAndMax(@ForAll @IntRange(min = 0, max = 50) int current, @ForAll @DoubleRange(min = 0, max = 1e6) double load,
                               @ForAll @DoubleRange(min = 0.1, max = 1e4) double per, @ForAll @IntRange(min = 1, max = 20) int min,
                               @ForAll @IntRange(min = 0, max = 30) int extra, @ForAll @IntRange(min = 1, max = 10) int step) {
        int d = StepSizing.desired(current, load, per, min, min + extra, step);
        assertThat(d).isBetween(min, min + extra);
    }

    @Property
    void movesAtMostTheLargestStepFromAPoolWithinBounds(@ForAll @IntRange(min = 1, max = 40) int current,
                                                        @ForAll @DoubleRange(min = 0, max = 1e6) double load,
                                                        @ForAll @DoubleRange(min = 0.1, max = 1e4) double per,
                                                        @ForAll @IntRange(min = 1, max = 10) int step) {
        int d = StepSizing.desired(current, load, per, 1, 40, step);
        assertThat(Math.abs(d - current)).isLessThanOrEqualTo(step);
    }

    @Property
    void unboundedItIsTheSmallestPoolThatCarriesTheLoadAtTarget(@ForAll @IntRange(min = 1, max = 100) int current,
                                                                @ForAll @DoubleRange(min = 1, max = 1e5) double load,
                                                                @ForAll @DoubleRange(min = 1, max = 1e3) double per) {
        int need = (int) Math.ceil(load / per - 1e-9);
        Assume.that(need >= 1 && need <= 1000);
        int d = StepSizing.desired(current, load, per, 1, 1000, 1000);
        assertThat(d * per).isGreaterThanOrEqualTo(load * (1 - 1e-9));
        assertThat((d - 1) * per).isLessThan(load);
    }

    @Property
    void moreLoadNeverMeansFewerInstances(@ForAll @IntRange(min = 0, max = 30) int current, @ForAll @DoubleRange(min = 0, max = 1e5) double a,
                                          @ForAll @DoubleRange(min = 0, max = 1e5) double b, @ForAll @DoubleRange(min = 0.5, max = 500) double per,
                                          @ForAll @IntRange(min = 1, max = 8) int step) {
        double lo = Math.min(a, b);
        double hi = Math.max(a, b);
        assertThat(StepSizing.desired(current, hi, per, 1, 30, step)).isGreaterThanOrEqualTo(StepSizing.desired(current, lo, per, 1, 30, step));
    }

    @Property
    void aSpikeOfKTimesTheTargetIsMetInOneDecisionWhenBoundsAllow(@ForAll @IntRange(min = 1, max = 10) int current,
                                                                  @ForAll @IntRange(min = 1, max = 10) int factor,
                                                                  @ForAll @DoubleRange(min = 1, max = 500) double per) {
        int d = StepSizing.desired(current, factor * current * per, per, 1, 100, 100);
        assertThat(d).isEqualTo(factor * current);
    }
}
