package dev.d2r2.policy;

import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.d2r2.policy.Fixtures.T0;
import static dev.d2r2.policy.Fixtures.flood;
import static dev.d2r2.policy.Fixtures.over;
import static org.assertj.core.api.Assertions.assertThat;

/** ResumeNet D3.1c's flooding example end to end: alerts in, block and rate limit out, then revocation. */
class FloodingRemediationTest {
    private static final String BLOCK = "sip-edge/block/198.51.100.7";
    private static final String LIMIT = "sip-edge/rate-limit/198.51.100.7?rate=5/s";

    @Test
    void floodAlertBlocksAndRateLimitsTheAttackerUntilTheFloodIsOver() {
        Harness h = new Harness(Fixtures.flooding());
        h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));

        assertThat(h.contextChanges()).containsExactly("started nominal",
                "activated flooding{attacker=198.51.100.7,edge=edge-1}");
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK, "deploy " + LIMIT);
        assertThat(h.calls.log()).containsExactly("deploy " + BLOCK, "deploy " + LIMIT);
        Event block = h.decisionEvents("deploy").getFirst();
        assertThat(block.attrs()).containsEntry("rule", "block-flooders").containsEntry("modality", "prohibition")
                .containsEntry("subject", "198.51.100.7").containsEntry("expires", T0 + 600_000)
                .containsEntry("cause.id", "a1").containsEntry("cause.chronicle", "sip_flooding")
                .containsEntry("cause.events", "e1,e2,e3");
        assertThat(h.engine.actions()).containsOnlyKeys(BLOCK, LIMIT);

        h.advance(Duration.ofSeconds(30));
        h.engine.accept(over(h.now(), "edge-1"));

        assertThat(h.contextChanges()).last().isEqualTo("cleared flooding{attacker=198.51.100.7,edge=edge-1}");
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK, "deploy " + LIMIT, "revoke " + BLOCK, "revoke " + LIMIT);
        assertThat(h.calls.log()).endsWith("revoke " + BLOCK, "revoke " + LIMIT);
        assertThat(h.decisionEvents("revoke")).allSatisfy(e -> assertThat(e.attrs()).containsEntry("reason", "context ended")
                .containsEntry("cause.type", "FloodingOver"));
        assertThat(h.engine.actions()).isEmpty();
        assertThat(h.engine.contexts()).extracting(ContextInstance::id).containsExactly("nominal");
    }

    @Test
    void withoutAClearTheActionsExpireAfterTheirDuration() {
        Harness h = new Harness(Fixtures.flooding());
        h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        h.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(h.engine.actions()).hasSize(2);
        h.advance(Duration.ofMillis(1));
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK, "deploy " + LIMIT, "revoke " + BLOCK, "revoke " + LIMIT);
        assertThat(h.contextChanges()).contains("expired flooding{attacker=198.51.100.7,edge=edge-1}");
    }

    @Test
    void operatorsFlaggedAsAttackersAreNotBlockedButTheEdgeStillRateLimitsThem() {
        Harness h = new Harness(Fixtures.flooding());
        h.engine.accept(flood("a1", T0, "10.9.4.4", "edge-1"));
        assertThat(h.decisions()).containsExactly("deploy sip-edge/rate-limit/10.9.4.4?rate=5/s");
    }

    @Test
    void simulationIsDeterministicAndShowsDeployThenRevoke() {
        List<String> first = simulate();
        assertThat(first).hasSize(4);
        assertThat(first.get(0)).startsWith("{\"time\":" + T0 + ",\"decision\":\"deploy\",\"action\":\"" + BLOCK + "\"")
                .contains("\"rule\":\"block-flooders\"", "\"cause\":{\"id\":\"a1\"");
        assertThat(first.get(2)).contains("\"decision\":\"revoke\"", "\"reason\":\"context ended\"");
        assertThat(simulate()).isEqualTo(first);
    }

    private static List<String> simulate() {
        List<String> lines = new ArrayList<>();
        Simulation s = new Simulation(Fixtures.flooding(), lines::add);
        s.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        s.accept(over(T0 + 5_000, "edge-1"));
        s.finish();
        return lines;
    }
}
