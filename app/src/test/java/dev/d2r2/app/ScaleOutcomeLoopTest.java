package dev.d2r2.app;

import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Event;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.driver.ProcessDriver;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.LoadLevel;
import dev.d2r2.scale.events.PhaseTimed;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.scale.events.ScaleStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A scaling step's end is its action's outcome, through real parts: the policy role runs
 * examples/policies/scaling.yaml on a broker, its webhook reaches the scaler's API, and the scaler
 * clones with the process driver (d2r2 sip-servers in namespaces behind a real edge). A clone in
 * service is a deploy {@code ok}, recorded only once the clone serves; a clone the driver cannot
 * make (its image missing) is {@code failed} with the driver's reason in the audit trail, and its
 * retry really tries again; a clone that never comes up is {@code failed} at the webhook's
 * deadline.
 */
class ScaleOutcomeLoopTest {
    private static final String PREFIX = "hsout-";
    private static final String SCALE_OUT = "scaler/scale-out/sip";
    private static final String SCALE_IN = "scaler/scale-in/sip";
    private static final String ACTUATOR = "timeout: 3m, retry-attempts: 2";
    @TempDir
    Path dir;
    private ScaleRig rig;

    /** A sip-server that sleeps instead when its working directory holds {@code hang} (a clone carries its source's). */
    private ScaleConfig config() throws Exception {
        return ScaleConfig.parse("t.yaml", """
                clouds:
                  home: { subnet: 10.97.81.0/24, capacity: 3 }
                types:
                  sip:
                    template:
                      command: [sh, -c, 'if [ -e hang ]; then exec sleep 600; fi; exec "$0" "$@"', %s]
                      port: 5060
                      cpu: 1
                      artifact: "%s"
                    cloud: home
                    min: 1
                    max: 3
                    metrics:
                      active_calls: { warning: 1000, critical: 2000, warning-for: 1s, critical-for: 1s }
                    target: { metric: active_calls, per-instance: 500 }
                    scale-down: { below: 1, for: 1h }
                    cooldown: { out: 10m, in: 0s }
                """.formatted(ScaleRig.sipServer(), image()));
    }

    private Path image() {
        return dir.resolve("sip.img");
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

    /** The whole loop with the example policy, its scaler actuator's options rewritten by {@code actuator}. */
    private void loop(UnaryOperator<String> actuator, ScaleRig.Scenario scenario) throws Exception {
        rig = ScaleRig.start(config(), PREFIX, "10.97.81.1", dir);
        // a long health deadline: a clone that never answers is not given up by the scaler within the test
        ScalerOptions options = new ScalerOptions(Duration.ofMinutes(2), Duration.ofSeconds(1), Duration.ofMillis(200), null);
        rig.loop(options, example -> {
            assertThat(example).contains(ACTUATOR);
            return actuator.apply(example);
        }, scenario);
    }

    private static void overload(Publisher loads) {
        loads.publish(new LoadLevel(System.currentTimeMillis(), "sip", "ok", "overload", 1, 2, 1000.0, null).toEvent());
    }

    private static void underload(Publisher loads) {
        loads.publish(new LoadLevel(System.currentTimeMillis(), "sip", "overload", "underload", 2, 1, 0.0, null).toEvent());
    }

    private List<ActionOutcome> outcomes() throws Exception {
        return outcomes(SCALE_OUT);
    }

    /** An action's deploy outcomes in the audit trail. */
    private List<ActionOutcome> outcomes(String action) throws Exception {
        List<ActionOutcome> out = new ArrayList<>();
        for (Event e : rig.audit(PolicyEvents.OUTCOME.name())) {
            ActionOutcome o = ActionOutcome.from(e);
            if (o.actionId().equals(action) && o.call() == ActionOutcome.Call.DEPLOY) {
                out.add(o);
            }
        }
        return out;
    }

    @Test
    void aScaleOutIsOkOnlyOnceItsCloneServesAndAScaleInOnlyOnceTheDrainedCloneIsStopped() throws Exception {
        Files.write(image(), new byte[4096]);
        loop(UnaryOperator.identity(), (loads, alarms) -> {
            overload(loads);
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> !outcomes().isEmpty());
            ActionOutcome ok = outcomes().getFirst();
            assertThat(ok.result()).isEqualTo(ActionOutcome.Result.OK);
            List<InstanceChange> serving = rig.serving();
            assertThat(serving).as("the clone served before the outcome was recorded").hasSize(2);
            assertThat(ok.time()).isGreaterThanOrEqualTo(serving.getLast().time());
            assertThat(rig.of(ScaleEvents.PHASE.name(), PhaseTimed::from)).filteredOn(p -> p.step().equals(SCALE_OUT))
                    .extracting(PhaseTimed::phase).contains("transfer", "boot", "health", "edge");

            underload(loads);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !outcomes(SCALE_IN).isEmpty());
            ActionOutcome in = outcomes(SCALE_IN).getFirst();
            assertThat(in.result()).isEqualTo(ActionOutcome.Result.OK);
            List<InstanceChange> stopped = rig.of(ScaleEvents.INSTANCE.name(), InstanceChange::from).stream()
                    .filter(c -> c.to().equals("stopped")).toList();
            assertThat(stopped).as("the clone was stopped before the outcome was recorded").singleElement()
                    .satisfies(c -> assertThat(c.instance()).isEqualTo(serving.getLast().instance()));
            assertThat(in.time()).isGreaterThanOrEqualTo(stopped.getFirst().time());
        });
    }

    @Test
    void aCloneTheDriverCannotMakeIsAFailedOutcomeWithTheDriversReasonAndItsRetryTriesAgain() throws Exception {
        loop(UnaryOperator.identity(), (loads, alarms) -> {
            overload(loads);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> outcomes().size() == 2);
            List<ActionOutcome> outcomes = outcomes();
            assertThat(outcomes).extracting(ActionOutcome::result).containsExactly(ActionOutcome.Result.FAILED, ActionOutcome.Result.FAILED);
            assertThat(outcomes.getFirst().error()).as("the driver's reason")
                    .contains("did not come into service: transfer " + image() + " to home");
            assertThat(outcomes.getFirst().retryAt()).isNotNull();
            assertThat(outcomes.getLast().attempt()).isEqualTo(2);
            assertThat(outcomes.getLast().retryAt()).as("given up after retry-attempts").isNull();
            assertThat(rig.of(ScaleEvents.STEP.name(), ScaleStep::from)).as("the retry is a new step, not declined by the cooldown")
                    .extracting(s -> s.before() + "->" + s.after()).containsExactly("1->2", "1->2");
            assertThat(rig.serving()).hasSize(1);
        });
    }

    @Test
    void aCloneThatNeverComesUpIsAFailedOutcomeAtTheWebhooksDeadline() throws Exception {
        Files.write(image(), new byte[4096]);
        loop(text -> text.replace(ACTUATOR, "timeout: 2s, retry-attempts: 1"), (loads, alarms) -> {
            Files.createFile(dir.resolve("work/instances/sip-1/hang"));
            overload(loads);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !outcomes().isEmpty());
            ActionOutcome failed = outcomes().getFirst();
            assertThat(failed.result()).isEqualTo(ActionOutcome.Result.FAILED);
            assertThat(failed.error()).contains("timed out");
            assertThat(failed.retryAt()).isNull();
            assertThat(rig.of(ScaleEvents.PHASE.name(), PhaseTimed::from)).as("the clone booted and is still being checked")
                    .filteredOn(p -> p.step().equals(SCALE_OUT)).extracting(PhaseTimed::phase).contains("boot").doesNotContain("health");
            assertThat(rig.serving()).hasSize(1);
        });
    }
}
