package dev.d2r2.app;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.PolicyRole;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScalerApi;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.driver.ProcessDriver;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.LoadLevel;
import dev.d2r2.scale.events.PhaseTimed;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.scale.events.ScaleStep;
import dev.d2r2.sip.edge.ApiLimits;
import dev.d2r2.sip.edge.EdgeApi;
import dev.d2r2.sip.edge.EdgeProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private static final String TOKEN = "scale-outcome-loop-edge-token-01";
    private static final String SCALE_OUT = "scaler/scale-out/sip";
    private static final String SCALE_IN = "scaler/scale-in/sip";
    private static final String ACTUATOR = "timeout: 3m, retry-attempts: 2";
    @TempDir
    Path dir;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private EdgeProxy edge;
    private EdgeApi edgeApi;

    /** A sip-server that sleeps instead when its working directory holds {@code hang} (a clone carries its source's). */
    private ScaleConfig config() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return ScaleConfig.parse("t.yaml", """
                clouds:
                  home: { subnet: 10.97.81.0/24, capacity: 3 }
                types:
                  sip:
                    template:
                      command: [sh, -c, 'if [ -e hang ]; then exec sleep 600; fi; exec "$0" "$@"',
                                "%s", -XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xmx64m, -cp, "%s", %s, sip-server,
                                --listen, "${address}:${port}", --name, "${name}"]
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
                """.formatted(java, System.getProperty("java.class.path"), Main.class.getName(), image()));
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
        if (edgeApi != null) {
            edgeApi.close();
        }
        if (edge != null) {
            edge.close();
        }
        ProcessDriver.cleanup(PREFIX);
    }

    /** What the test does once the pool's first instance serves; the policy is running. */
    private interface Scenario {
        void run(Publisher loads) throws Exception;
    }

    /** The whole loop with the example policy, its scaler actuator's options rewritten by {@code actuator}. */
    private void loop(UnaryOperator<String> actuator, Scenario scenario) throws Exception {
        ScaleConfig config = config();
        ProcessDriver.network(config, PREFIX);
        edge = new EdgeProxy(new InetSocketAddress("10.97.81.1", 0), List.of(), e -> { });
        edgeApi = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, BearerToken.of(TOKEN), ApiLimits.DEFAULT);
        EdgeClient edgeClient = new EdgeClient(URI.create("http://127.0.0.1:" + edgeApi.address().getPort()), TOKEN);
        Path token = dir.resolve("scaler-api.token");
        // a long health deadline: a clone that never answers is not given up by the scaler within the test
        ScalerOptions options = new ScalerOptions(Duration.ofMinutes(2), Duration.ofSeconds(1), Duration.ofMillis(200), null);
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("scale", "actions")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            try (Publisher scale = admin.publisher("scale");
                 Publisher loads = admin.publisher("scale");
                 ScalerRole scaler = new ScalerRole(config, lifecycle -> new ProcessDriver(config, PREFIX, dir.resolve("work"), lifecycle),
                         edgeClient, options, Clock.system(), e -> {
                             events.add(e);
                             scale.publish(e);
                         });
                 ScalerApi api = new ScalerApi(new InetSocketAddress("127.0.0.1", 0), BearerToken.loadOrCreate(token), scaler)) {
                String example = Files.readString(Path.of("../examples/policies/scaling.yaml"));
                assertThat(example).contains(ACTUATOR);
                String text = actuator.apply(example)
                        .replace("http://127.0.0.1:8091/actions", "http://127.0.0.1:" + api.address().getPort() + "/actions")
                        .replace("token-file: scaler-api.token", "token-file: \"" + token + "\"");
                try (PolicyRole policy = new PolicyRole(admin, Policy.parse("scaling.yaml", text), List.of("scale"), "actions",
                        dir.resolve("audit.jsonl"), false, Clock.system())) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> serving().size() == 1);
                    scenario.run(loads);
                }
            }
        }
    }

    private static void overload(Publisher loads) {
        loads.publish(new LoadLevel(System.currentTimeMillis(), "sip", "ok", "overload", 1, 2, 1000.0, null).toEvent());
    }

    private static void underload(Publisher loads) {
        loads.publish(new LoadLevel(System.currentTimeMillis(), "sip", "overload", "underload", 2, 1, 0.0, null).toEvent());
    }

    private <T> List<T> of(String type, Decode<T> decode) throws EventFormatException {
        List<T> out = new ArrayList<>();
        for (Event e : events) {
            if (e.type().equals(type)) {
                out.add(decode.from(e));
            }
        }
        return out;
    }

    private interface Decode<T> {
        T from(Event e) throws EventFormatException;
    }

    private List<InstanceChange> serving() throws EventFormatException {
        return of(ScaleEvents.INSTANCE.name(), InstanceChange::from).stream().filter(c -> c.to().equals("serving")).toList();
    }

    private List<ActionOutcome> outcomes() throws Exception {
        return outcomes(SCALE_OUT);
    }

    /** An action's deploy outcomes in the audit trail (read while the role appends: a torn last line throws, and the wait reads again). */
    private List<ActionOutcome> outcomes(String action) throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        List<ActionOutcome> out = new ArrayList<>();
        if (Files.exists(trail)) {
            for (String line : Files.readAllLines(trail)) {
                Event e = EventCodec.decode(line);
                if (PolicyEvents.OUTCOME.matches(e.type())) {
                    ActionOutcome o = ActionOutcome.from(e);
                    if (o.actionId().equals(action) && o.call() == ActionOutcome.Call.DEPLOY) {
                        out.add(o);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void aScaleOutIsOkOnlyOnceItsCloneServesAndAScaleInOnlyOnceTheDrainedCloneIsStopped() throws Exception {
        Files.write(image(), new byte[4096]);
        loop(UnaryOperator.identity(), loads -> {
            overload(loads);
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> !outcomes().isEmpty());
            ActionOutcome ok = outcomes().getFirst();
            assertThat(ok.result()).isEqualTo(ActionOutcome.Result.OK);
            List<InstanceChange> serving = serving();
            assertThat(serving).as("the clone served before the outcome was recorded").hasSize(2);
            assertThat(ok.time()).isGreaterThanOrEqualTo(serving.getLast().time());
            assertThat(of(ScaleEvents.PHASE.name(), PhaseTimed::from)).filteredOn(p -> p.step().equals(SCALE_OUT))
                    .extracting(PhaseTimed::phase).contains("transfer", "boot", "health", "edge");

            underload(loads);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !outcomes(SCALE_IN).isEmpty());
            ActionOutcome in = outcomes(SCALE_IN).getFirst();
            assertThat(in.result()).isEqualTo(ActionOutcome.Result.OK);
            List<InstanceChange> stopped = of(ScaleEvents.INSTANCE.name(), InstanceChange::from).stream()
                    .filter(c -> c.to().equals("stopped")).toList();
            assertThat(stopped).as("the clone was stopped before the outcome was recorded").singleElement()
                    .satisfies(c -> assertThat(c.instance()).isEqualTo(serving.getLast().instance()));
            assertThat(in.time()).isGreaterThanOrEqualTo(stopped.getFirst().time());
        });
    }

    @Test
    void aCloneTheDriverCannotMakeIsAFailedOutcomeWithTheDriversReasonAndItsRetryTriesAgain() throws Exception {
        loop(UnaryOperator.identity(), loads -> {
            overload(loads);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> outcomes().size() == 2);
            List<ActionOutcome> outcomes = outcomes();
            assertThat(outcomes).extracting(ActionOutcome::result).containsExactly(ActionOutcome.Result.FAILED, ActionOutcome.Result.FAILED);
            assertThat(outcomes.getFirst().error()).as("the driver's reason")
                    .contains("did not come into service: transfer " + image() + " to home");
            assertThat(outcomes.getFirst().retryAt()).isNotNull();
            assertThat(outcomes.getLast().attempt()).isEqualTo(2);
            assertThat(outcomes.getLast().retryAt()).as("given up after retry-attempts").isNull();
            assertThat(of(ScaleEvents.STEP.name(), ScaleStep::from)).as("the retry is a new step, not declined by the cooldown")
                    .extracting(s -> s.before() + "->" + s.after()).containsExactly("1->2", "1->2");
            assertThat(serving()).hasSize(1);
        });
    }

    @Test
    void aCloneThatNeverComesUpIsAFailedOutcomeAtTheWebhooksDeadline() throws Exception {
        Files.write(image(), new byte[4096]);
        loop(text -> text.replace(ACTUATOR, "timeout: 2s, retry-attempts: 1"), loads -> {
            Files.createFile(dir.resolve("work/instances/sip-1/hang"));
            overload(loads);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !outcomes().isEmpty());
            ActionOutcome failed = outcomes().getFirst();
            assertThat(failed.result()).isEqualTo(ActionOutcome.Result.FAILED);
            assertThat(failed.error()).contains("timed out");
            assertThat(failed.retryAt()).isNull();
            assertThat(of(ScaleEvents.PHASE.name(), PhaseTimed::from)).as("the clone booted and is still being checked")
                    .filteredOn(p -> p.step().equals(SCALE_OUT)).extracting(PhaseTimed::phase).contains("boot").doesNotContain("health");
            assertThat(serving()).hasSize(1);
        });
    }
}
