package dev.d2r2.tunnel.path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spread when the role republishes the weights more often than a light path is due: the
 * light path still gets its share (resetting the credits on every new array starved it).
 */
class WeightedRoundRobinTest {
    @Test
    void aLightPathKeepsItsShareWhenTheWeightsAreRepublishedEveryFewPicks() {
        WeightedRoundRobin spread = new WeightedRoundRobin(2);
        int[] picks = new int[2];
        for (int i = 0; i < 647 * 10; i++) {
            if (i % 3 == 0) {
                spread.use(new int[]{600, 47});
            }
            picks[spread.next()]++;
        }
        assertThat(picks).containsExactly(6000, 470);
    }

    @Test
    void aPathWeightedZeroIsNeverPickedAndStartsAfreshWhenItReturns() {
        WeightedRoundRobin spread = new WeightedRoundRobin(2);
        spread.use(new int[]{1, 1});
        spread.next();
        spread.use(new int[]{1, 0});
        for (int i = 0; i < 10; i++) {
            assertThat(spread.next()).isZero();
        }
        spread.use(new int[]{1, 1});
        int[] picks = new int[2];
        for (int i = 0; i < 10; i++) {
            picks[spread.next()]++;
        }
        assertThat(picks).containsExactly(5, 5);
    }
}
