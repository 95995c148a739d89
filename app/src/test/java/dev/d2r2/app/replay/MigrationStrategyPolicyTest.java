package dev.d2r2.app.replay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The migration strategy table as a policy (examples/policies/migration-strategy.yaml) passes its rule tests. */
class MigrationStrategyPolicyTest {
    @Test
    void eachClassOfFailureGetsTheTablesStrategy() {
        ReplayInputsTest.Run r = ReplayInputsTest.run("test", "rules", "../examples/policies/migration-strategy.test.yaml");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("8 passed, 0 failed");
    }
}
