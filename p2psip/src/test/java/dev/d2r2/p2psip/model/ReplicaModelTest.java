package dev.d2r2.p2psip.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReplicaModelTest {
    private final ReplicaModel skype = ReplicaModel.skype();

    @Test
    void reproducesSixReplicasForThreeNinesAndTenForFive() {
        assertThat(skype.replicas(0.999, 1.2)).isEqualTo(6);
        assertThat(skype.replicas(0.99999, 1.2)).isEqualTo(10);
    }

    @Test
    void theClaimHoldsOnlyForHorizonsNearOneUnit() {
        double[] five = skype.horizonFor(10, 0.99999);
        double[] three = skype.horizonFor(6, 0.999);
        assertThat(five[0]).isCloseTo(1.025, within(0.005));
        assertThat(five[1]).isCloseTo(1.376, within(0.005));
        // both counts hold together where the two ranges overlap
        assertThat(Math.max(five[0], three[0])).isLessThan(Math.min(five[1], three[1]));
        assertThat(skype.replicas(0.99999, five[0] * 0.99)).isLessThan(10);
        assertThat(skype.replicas(0.99999, five[1] * 1.01)).isGreaterThan(10);
    }

    @Test
    void survivalFollowsTheWeibullFit() {
        assertThat(skype.survival(ReplicaModel.SKYPE_SCALE)).isCloseTo(Math.exp(-1), within(1e-12));
        assertThat(skype.survival(4.37)).isCloseTo(0.5, within(0.01)); // the fit's median, as the notes give it
    }
}
