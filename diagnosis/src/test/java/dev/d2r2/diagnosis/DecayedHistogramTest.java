package dev.d2r2.diagnosis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DecayedHistogramTest {
    @Test
    void aPriorAtTheSteadyMassKeepsItsMassAndFadesAsWindowsComeIn() {
        double[] prior = {2.5, 2.5, 0};
        assertThat(DecayedHistogram.steadyMass(0.8)).isCloseTo(5, within(1e-9));
        DecayedHistogram h = new DecayedHistogram(prior, 0.8);
        h.add(2);
        assertThat(h.counts()).containsExactly(new double[]{2.0, 2.0, 1.0}, within(1e-9));
        assertThat(prior).as("the prior is copied").containsExactly(2.5, 2.5, 0);
        for (int i = 0; i < 50; i++) {
            h.add(2);
        }
        assertThat(h.distribution()[2]).isCloseTo(1, within(1e-4));
        assertThat(h.counts()[0] + h.counts()[1] + h.counts()[2]).isCloseTo(5, within(1e-9));
    }

    @Test
    void badPriorsAndDecaysAreRefused() {
        assertThatThrownBy(() -> new DecayedHistogram(new double[0], 0.8)).hasMessageContaining("needs a bin");
        assertThatThrownBy(() -> new DecayedHistogram(new double[]{1, -1}, 0.8)).hasMessageContaining("prior count is -1");
        assertThatThrownBy(() -> new DecayedHistogram(new double[]{Double.NaN}, 0.8)).hasMessageContaining("prior count is NaN");
        assertThatThrownBy(() -> new DecayedHistogram(new double[]{1}, 1)).hasMessageContaining("decay must be in (0, 1)");
    }
}
