package dev.d2r2.app.replay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The sick-server policy (examples/policies/sick-server.yaml) passes its rule tests. */
class SickServerRulesTest {
    @Test
    void anIndictedServerIsDrainedAndReplacedOneAtATime() {
        ReplayInputsTest.Run r = ReplayInputsTest.run("test", "rules", "../examples/policies/sick-server.test.yaml");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("3 passed, 0 failed");
    }
}
