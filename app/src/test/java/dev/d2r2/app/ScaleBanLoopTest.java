package dev.d2r2.app;

import dev.d2r2.core.Event;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.driver.ProcessDriver;
import dev.d2r2.scale.events.CloudAccess;
import dev.d2r2.scale.events.LoadLevel;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.scale.events.ScaleStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The prohibition on cloning end to end, through real parts: the policy role runs
 * examples/policies/scaling.yaml on the broker; a link alarm on the remote cloud becomes a
 * forbid-clone through the webhook to the scaler's API; an overload then becomes a scale-out, which
 * the scaler carries out with the process driver (d2r2 sip-servers in namespaces behind a real
 * edge) by cloning into the far cloud instead of the cheaper remote one, saying why; the link's
 * recovery opens the remote cloud again. Every decision is in the audit trail with its cause.
 */
class ScaleBanLoopTest {
    private static final String PREFIX = "hscale-";
    private static final String BAN = "scaler-placement/forbid-clone/remote";
    @TempDir
    Path dir;
    private ScaleRig rig;

    private static ScaleConfig config() throws Exception {
        return ScaleConfig.parse("t.yaml", """
                clouds:
                  home:   { subnet: 10.97.71.0/24, capacity: 1 }
                  remote: { subnet: 10.97.72.0/24, capacity: 2, cost: 1 }
                  far:    { subnet: 10.97.73.0/24, capacity: 2, cost: 2 }
                types:
                  sip:
                    template:
                      command: [%s]
                      port: 5060
                      cpu: 1
                    cloud: home
                    min: 1
                    max: 3
                    metrics:
                      active_calls: { warning: 1000, critical: 2000, warning-for: 1s, critical-for: 1s }
                    target: { metric: active_calls, per-instance: 500 }
                    scale-down: { below: 1, for: 1h }
                    cooldown: { out: 0s, in: 0s }
                """.formatted(ScaleRig.sipServer()));
    }

    @BeforeEach
    void setUp() throws Exception {
        Peers.require(Path.of("/usr/bin/ip"), "iproute2");
        ProcessDriver.cleanup(PREFIX);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    private boolean done(String action, ActionOutcome.Call call) throws Exception {
        for (Event e : rig.audit(PolicyEvents.OUTCOME.name())) {
            ActionOutcome o = ActionOutcome.from(e);
            if (o.actionId().equals(action) && o.call() == call && o.result() == ActionOutcome.Result.OK) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aLinkAlarmClosesTheRemoteCloudSoTheOverloadsCloneGoesFarAndTheRecoveryOpensItAgain() throws Exception {
        rig = ScaleRig.start(config(), PREFIX, "10.97.71.1", dir);
        ScalerOptions options = new ScalerOptions(Duration.ofSeconds(20), Duration.ofSeconds(1), null, null);
        rig.loop(options, UnaryOperator.identity(), (loads, alarms) -> {
            alarms.publish(Event.state("cloud-link.connect_ms", System.currentTimeMillis(), "remote", "ok", "critical",
                    Map.of("value", 250.0)));
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> done(BAN, ActionOutcome.Call.DEPLOY));
            await().atMost(Duration.ofSeconds(5)).until(() -> !rig.of(ScaleEvents.CLOUD.name(), CloudAccess::from).isEmpty());

            loads.publish(new LoadLevel(System.currentTimeMillis(), "sip", "ok", "overload", 1, 2, 1000.0, null).toEvent());
            await().atMost(Duration.ofSeconds(30)).until(() -> rig.serving().size() == 2);
            assertThat(rig.serving().getLast().cloud()).as("remote is cheaper, but closed").isEqualTo("far");
            ScaleStep step = rig.of(ScaleEvents.STEP.name(), ScaleStep::from).getLast();
            assertThat(step.step()).isEqualTo("scaler/scale-out/sip");
            assertThat(step.why()).isEqualTo("remote is forbidden by the policy (" + BAN + ")");

            alarms.publish(Event.state("cloud-link.connect_ms", System.currentTimeMillis(), "remote", "critical", "ok",
                    Map.of("value", 0.4)));
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> done(BAN, ActionOutcome.Call.REVOKE));
            await().atMost(Duration.ofSeconds(5)).until(() -> rig.of(ScaleEvents.CLOUD.name(), CloudAccess::from).size() == 2);
        });
        assertThat(rig.of(ScaleEvents.CLOUD.name(), CloudAccess::from)).extracting(a -> a.cloud() + " " + a.from() + "->" + a.to())
                .containsExactly("remote open->forbidden", "remote forbidden->open");
        ActionDecision ban = rig.audit(PolicyEvents.DECISION.name()).stream().map(e -> {
            try {
                return ActionDecision.from(e);
            } catch (Exception x) {
                throw new AssertionError(x);
            }
        }).filter(d -> d.action().id().equals(BAN)).findFirst().orElseThrow();
        assertThat(ban.rule()).isEqualTo("no-clones-over-a-degraded-link");
        assertThat(ban.cause().type()).as("the decision's cause").isEqualTo("cloud-link.connect_ms");
    }
}
