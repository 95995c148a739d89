package dev.d2r2.p2psip.model;

import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ChurnSimulationTest {
    private static ChurnSimulation.Result run(double mu, TunnelModel.Sizing sizing, long trials) {
        return new ChurnSimulation(new ChurnSimulation.Settings(mu, sizing, 0.52, 2_000, 20, trials, 7)).run();
    }

    @Test
    void theCalibratedScaleGivesTheAskedResidualSurvival() {
        double scale = ChurnSimulation.calibratedScale(0.8, 0.52);
        assertThat(Gamma.regularizedGammaQ(1 / 0.52, Math.pow(1 / scale, 0.52))).isCloseTo(0.8, within(1e-9));
    }

    @Test
    void peersChosenOnlineSurviveAPeriodWithProbabilityMu() {
        ChurnSimulation.Result r = run(0.6, new TunnelModel.Sizing(1, 3, 3), 20_000);
        assertThat(r.measuredMu()).isCloseTo(0.6, within(0.01));
    }

    @Test
    void theModelsUnreachabilityLiesInsideTheSimulationsInterval() {
        TunnelModel model = new TunnelModel(0.99);
        TunnelModel.Sizing sizing = model.optimum(0.6, 2);
        ChurnSimulation.Result r = run(0.6, sizing, 40_000);
        assertThat(r.unreachable()).isPositive();
        assertThat(r.agrees()).as("model %s in [%s, %s]", r.predicted(), r.low(), r.high()).isTrue();
        // one tunnel fewer than the optimum misses the target, and the simulation sees it
        ChurnSimulation.Result thinner = run(0.6, new TunnelModel.Sizing(2, sizing.m(), sizing.q() - 2), 40_000);
        assertThat(thinner.unreachability()).isGreaterThan(r.unreachability());
        assertThat(thinner.low()).isGreaterThan(1 - model.target() - 0.002);
    }

    @Test
    void refusesTooFewPeers() {
        assertThatThrownBy(() -> new ChurnSimulation.Settings(0.8, new TunnelModel.Sizing(2, 8, 12), 0.52, 100, 1, 10, 1))
                .hasMessageContaining("too few peers");
    }
}
