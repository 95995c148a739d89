package dev.d2r2.app.replay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The scaling policy (examples/policies/scaling.yaml) passes its rule tests, the prohibition on cloning among them. */
class ScalingRulesTest {
    @Test
    void overloadScalesOutAndADegradedLinkClosesItsCloudButNeverTheLocalOne() {
        ReplayInputsTest.Run r = ReplayInputsTest.run("test", "rules", "../examples/policies/scaling.test.yaml");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("5 passed, 0 failed");
    }
}
