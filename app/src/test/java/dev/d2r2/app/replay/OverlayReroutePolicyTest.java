package dev.d2r2.app.replay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The overlay's reroute as chronicles and a policy (examples/chronicles/overlay-path.chr, examples/policies/overlay-reroute.yaml) passes its rule tests. */
class OverlayReroutePolicyTest {
    @Test
    void aPathDownIsReroutedUntilItAnswersAgain() {
        ReplayInputsTest.Run r = ReplayInputsTest.run("test", "rules", "../examples/policies/overlay-reroute.test.yaml");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("5 passed, 0 failed");
    }
}
