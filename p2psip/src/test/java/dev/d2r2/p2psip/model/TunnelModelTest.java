package dev.d2r2.p2psip.model;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TunnelModelTest {
    private static final TunnelModel SEED = new TunnelModel(1 - 1e-5);

    @Test
    void reproducesTheSeedsWorkedExample() {
        assertThat(SEED.optimum(0.8, 2)).isEqualTo(new TunnelModel.Sizing(2, 8, 12));
        assertThat(SEED.optimum(0.8, 2).cost()).isEqualTo(32);
        assertThat(SEED.optimum(0.8, 3)).isEqualTo(new TunnelModel.Sizing(3, 8, 17));
        assertThat(SEED.optimum(0.8, 3).cost()).isEqualTo(59);
    }

    @Test
    void oneHopTunnelsCostAConstantOverheadAsTheSeedDerives() {
        double expected = 2 * Math.log(1 - Math.sqrt(1 - 1e-5)) / Math.log(1e-5);
        for (double mu : new double[]{0.1, 0.5, 0.8, 0.99}) {
            assertThat(SEED.continuousCost(mu, 1) / SEED.continuousCost(mu, 0)).isCloseTo(expected, within(1e-3));
        }
        assertThat(expected).isCloseTo(2.12, within(0.005));
    }

    /** The digest's recomputed table (ResumeNet D3.1b notes §3.2), cell by cell. */
    @ParameterizedTest
    @CsvSource({
            "0.1, 110, 232, 2439, 22.32, 317.5",
            "0.3, 33, 69, 286, 8.83, 40.5",
            "0.5, 17, 36, 101, 6.05, 16.9",
            "0.7, 10, 21, 47, 4.78, 9.88",
            "0.8, 8, 16, 32, 4.35, 7.99",
            "0.95, 4, 9, 15, 3.76, 5.84",
            "0.99, 3, 6, 9, 3.53, 5.14"})
    void reproducesTheDigestsTable(double mu, int m0, int p1, int p2, double ovh2, double ovh3) {
        assertThat(SEED.plainReplicas(mu)).isEqualTo(m0);
        assertThat(SEED.optimum(mu, 1).cost()).isEqualTo(p1);
        assertThat(SEED.optimum(mu, 2).cost()).isEqualTo(p2);
        double c0 = SEED.continuousCost(mu, 0);
        assertThat(SEED.continuousCost(mu, 2) / c0).isCloseTo(ovh2, within(0.006));
        assertThat(SEED.continuousCost(mu, 3) / c0).isCloseTo(ovh3, within(0.06));
    }

    @Test
    void whereTheDigestsSweepMissedTheOptimumTheExactOneIsFeasibleAndCheaper() {
        // the digest: 34,696 at µ = 0.1, p = 3 (a sweep over the split); enumerating m finds one peer fewer
        TunnelModel.Sizing s = SEED.optimum(0.1, 3);
        assertThat(s.cost()).isEqualTo(34_695);
        assertThat(s.reachability(0.1)).isGreaterThanOrEqualTo(1 - 1e-5);
        // the digest: 6 at µ = 0.9, a rounding artefact: 5 replicas give exactly 1 − 0.1⁵
        assertThat(SEED.plainReplicas(0.9)).isEqualTo(5);
        assertThat(SEED.optimum(0.9, 1).cost()).isEqualTo(12);
        assertThat(SEED.optimum(0.9, 3).cost()).isEqualTo(33);
    }

    @Property(tries = 30)
    void theOptimumMeetsTheTargetAndNothingCheaperDoes(@ForAll @DoubleRange(min = 0.3, max = 0.99) double mu,
                                                       @ForAll @IntRange(min = 1, max = 3) int p,
                                                       @ForAll @IntRange(min = 2, max = 6) int nines) {
        TunnelModel model = new TunnelModel(1 - Math.pow(10, -nines));
        TunnelModel.Sizing best = model.optimum(mu, p);
        assertThat(best.reachability(mu)).isGreaterThanOrEqualTo(model.target() - 1e-12);
        for (int m = 1; m < best.cost(); m++) {
            for (int q = 1; m + p * q < best.cost(); q++) {
                assertThat(new TunnelModel.Sizing(p, m, q).reachability(mu)).as("m=%d q=%d", m, q).isLessThan(model.target());
            }
        }
    }

    @Test
    void refusesWhatIsNotAProbability() {
        assertThatThrownBy(() -> new TunnelModel(1)).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> SEED.optimum(0, 2)).hasMessageContaining("µ");
        assertThatThrownBy(() -> SEED.optimum(0.5, -1)).hasMessageContaining("hops");
    }
}
