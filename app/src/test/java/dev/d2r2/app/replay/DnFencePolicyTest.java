package dev.d2r2.app.replay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Fencing a DN that drops data, as a policy (examples/policies/dn-fence.yaml), passes its rule tests. */
class DnFencePolicyTest {
    @Test
    void aDnDroppingDataIsFencedUntilItIsSeenAliveOrTheLifetimeEnds() {
        ReplayInputsTest.Run r = ReplayInputsTest.run("test", "rules", "../examples/policies/dn-fence.test.yaml");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("3 passed, 0 failed");
    }
}
