package dev.d2r2.sip.edge;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class HeavyHittersTest {
    @Test
    void theHeavySourcesOfAMillionAreFoundInAFewHundredCounters() {
        HeavyHitters<Integer> h = new HeavyHitters<>(256);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 1_000_000; i++) {
            h.add(1_000_000 + r.nextInt(1_000_000));
            if (i % 50 == 0) {
                h.add(7);
            }
            if (i % 100 == 0) {
                h.add(8);
            }
        }
        var top = h.top(2);
        assertThat(top).extracting(HeavyHitters.Hitter::key).containsExactly(7, 8);
        assertThat(top.get(0).count() - top.get(0).error()).isLessThanOrEqualTo(20_000);
        assertThat(top.get(0).count()).isGreaterThanOrEqualTo(20_000);
        assertThat(h.total()).isEqualTo(1_000_000 + 20_000 + 10_000);
    }
}
