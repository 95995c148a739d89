package dev.d2r2.scale.kube;

import dev.d2r2.core.Clock;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.Observation;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScaleRequest;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.sip.load.SipLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.FutureTask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A scale-in whose instance still carries calls at its drain deadline: the instance is reported
 * ({@code draining}, with the deadline and the calls left) and left running, not killed — its Pod
 * stays, and the calls it carries end with their BYE. Real calls through a real SIP edge.
 */
class DrainDeadlineTest {
    private static final String TOKEN = "scale-deadline-test-token-012345";
    private static final String TYPES = """
            clouds:
              home: { subnet: 10.98.1.0/24, capacity: 4 }
            types:
              sip:
                template:
                  command: [d2r2, sip-server, --listen, "${address}:${port}", --name, "${name}"]
                  port: 5060
                  cpu: 0.5
                  image: example.org/d2r2:1
                cloud: home
                min: 1
                max: 2
                metrics:
                  active_calls: { warning: 1000, critical: 2000, warning-for: 1s, critical-for: 1s }
                target: { metric: active_calls, per-instance: 500 }
                scale-down: { below: 1, for: 1h }
                cooldown: { out: 0s, in: 0s }
                drain-deadline: 1s
            """;

    @RegisterExtension
    final MockCluster cluster = new MockCluster();
    @RegisterExtension
    final LoopbackEdge edge = new LoopbackEdge(TOKEN);
    private final RecordedEvents events = new RecordedEvents();
    /**
     * Far longer than the drain deadline and than the test's steps from the first call on the clone to the deadline
     * on a loaded machine: the calls are still up at the deadline. The test waits for them to end, so not longer.
     */
    private static final Duration CALL_LENGTH = Duration.ofSeconds(12);

    @Test
    void anInstanceWithCallsAtItsDrainDeadlineIsReportedAndLeftRunning() throws Exception {
        ScaleConfig config = ScaleConfig.parse("t.yaml", TYPES);
        EdgeClient client = edge.client();
        ScalerOptions options = new ScalerOptions(Duration.ofSeconds(10), Duration.ofMillis(100), null, null);
        try (ScalerRole scaler = new ScalerRole(config, cluster.drivers(config, "deadline", Duration.ofSeconds(30), "home"),
                client, options, Clock.system(), events)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> reached("sip-1", "serving"));
            scaler.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/scale-out"));
            await().atMost(Duration.ofSeconds(60)).until(() -> reached("sip-2", "serving"));
            String clone = events.changesOf("sip-2").getLast().address();

            // a thread of its own: the common pool, which the client completes its requests on, may have one worker
            FutureTask<SipLoad.Report> calls = new FutureTask<>(() -> new SipLoad(new SipLoad.Plan(edge.sip(), 20, CALL_LENGTH, 0, 0, 1,
                    "INVITE", Duration.ofSeconds(2))).run());
            Thread.ofPlatform().name("drain-deadline-calls").daemon().start(calls);
            await().atMost(Duration.ofSeconds(60)).until(() -> client.dialogs().getOrDefault(clone, 0L) > 0);

            scaler.submit(new Observation(System.currentTimeMillis(), client.dialogs(), Double.NaN));
            scaler.submit(new ScaleRequest(ScaleRequest.IN, "sip", "test/scale-in"));
            await().atMost(Duration.ofSeconds(60)).until(() -> events.changesOf("sip-2").getLast().why() != null);
            InstanceChange reported = events.changesOf("sip-2").getLast();
            assertThat(reported.to()).isEqualTo("draining");
            assertThat(reported.why()).matches("drain deadline of 1 s passed with \\d+ calls: left running, not killed");
            assertThat(cluster.client.pods().inNamespace("home-ns").withName("sip-2").get()).as("its Pod is not deleted").isNotNull();

            SipLoad.Report report = calls.get();
            assertThat(report.calls()).isPositive();
            assertThat(report.callsOk()).as("the calls on the instance left running end with their BYE").isEqualTo(report.calls());
            assertThat(report.dropped()).isZero();
            assertThat(events.changesOf("sip-2")).extracting(InstanceChange::to).doesNotContain("stopped");
        }
    }

    private boolean reached(String instance, String state) {
        return events.changesOf(instance).stream().anyMatch(c -> c.to().equals(state));
    }
}
