package dev.d2r2.tunnel.path;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The path core's invariants over random probe streams, costs and weights. */
class PathPropertiesTest {
    private static final long MS = 1_000_000;

    @Property(tries = 200)
    void lossIsTheShareOfOverdueProbesNeverEchoed(@ForAll @Size(min = 1, max = 200) List<Boolean> answered,
                                                   @ForAll @IntRange(min = 1, max = 64) int window) {
        PathMeter m = new PathMeter(window, 50 * MS, 30 * MS);
        for (int i = 0; i < answered.size(); i++) {
            int seq = m.sent(i * MS);
            if (answered.get(i)) {
                m.echoed(seq, i * MS + MS / 2);
            }
        }
        List<Boolean> last = answered.subList(Math.max(0, answered.size() - window), answered.size());
        double expected = last.stream().filter(a -> !a).count() / (double) last.size();
        assertThat(m.loss(answered.size() * MS + 100 * MS)).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(m.jitterNanos()).isGreaterThanOrEqualTo(0);
    }

    @Provide
    Arbitrary<List<Double>> costs() {
        return Arbitraries.doubles().between(0, 500).list().ofSize(3);
    }

    @Property(tries = 300)
    void primaryBackupSwitchesOnlyForDownOrAHeldMargin(@ForAll long seed, @ForAll @IntRange(min = 0, max = 50) int margin) {
        Random r = new Random(seed);
        long hold = 1000 * MS;
        PathSelector s = new PathSelector(PathSelector.Mode.PRIMARY_BACKUP, 3, margin, hold);
        for (long t = 0; t < 20_000 * MS; t += 10 * MS) {
            boolean[] usable = {r.nextInt(10) > 0, r.nextInt(10) > 0, r.nextInt(10) > 0};
            double[] cost = {r.nextInt(100), r.nextInt(100), r.nextInt(100)};
            int before = s.active();
            PathSelector.Switch sw = s.evaluate(usable, cost, t);
            if (sw == null) {
                assertThat(s.active()).isEqualTo(before);
                continue;
            }
            assertThat(sw.from()).isEqualTo(before);
            if (sw.to() >= 0) {
                assertThat(usable[sw.to()]).isTrue();
                for (int i = 0; i < 3; i++) {
                    assertThat(!usable[i] || cost[i] >= cost[sw.to()]).as("took the cheapest").isTrue();
                }
            }
            if (sw.reason().equals("better")) {
                assertThat(usable[before]).isTrue();
                assertThat(cost[sw.to()] + margin).isLessThan(cost[before]);
            } else {
                assertThat(before < 0 || !usable[before]).as("forced switches only when the active path is unusable").isTrue();
            }
        }
    }

    @Property(tries = 200)
    void roundRobinPicksEachPathInProportionToItsWeight(@ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 50) Integer> w) {
        int[] weights = w.stream().mapToInt(Integer::intValue).toArray();
        int total = w.stream().mapToInt(Integer::intValue).sum();
        WeightedRoundRobin rr = new WeightedRoundRobin(weights.length);
        rr.use(weights);
        int[] picks = new int[weights.length];
        for (int i = 0; i < Math.max(total, 1) * 3; i++) {
            int p = rr.next();
            if (total == 0) {
                assertThat(p).isEqualTo(-1);
                return;
            }
            picks[p]++;
        }
        for (int i = 0; i < weights.length; i++) {
            assertThat(picks[i]).isEqualTo(3 * weights[i]);
        }
    }
}
