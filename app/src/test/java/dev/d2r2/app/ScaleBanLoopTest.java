package dev.d2r2.app;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.PolicyRole;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScalerApi;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.driver.ProcessDriver;
import dev.d2r2.scale.events.CloudAccess;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.LoadLevel;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

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
    private static final String TOKEN = "scale-ban-loop-edge-token-0123456";
    private static final String BAN = "scaler-placement/forbid-clone/remote";
    @TempDir
    Path dir;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private EdgeProxy edge;
    private EdgeApi edgeApi;

    private static ScaleConfig config() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return ScaleConfig.parse("t.yaml", """
                clouds:
                  home:   { subnet: 10.97.71.0/24, capacity: 1 }
                  remote: { subnet: 10.97.72.0/24, capacity: 2, cost: 1 }
                  far:    { subnet: 10.97.73.0/24, capacity: 2, cost: 2 }
                types:
                  sip:
                    template:
                      command: ["%s", -XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xmx64m, -cp, "%s", %s, sip-server, --listen, "${address}:${port}", --name, "${name}"]
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
                """.formatted(java, System.getProperty("java.class.path"), Main.class.getName()));
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

    private <T> List<T> of(String type, Decode<T> decode) {
        List<T> out = new ArrayList<>();
        for (Event e : events) {
            if (e.type().equals(type)) {
                try {
                    out.add(decode.from(e));
                } catch (Exception x) {
                    throw new AssertionError(x);
                }
            }
        }
        return out;
    }

    private interface Decode<T> {
        T from(Event e) throws Exception;
    }

    private List<InstanceChange> serving() {
        return of(ScaleEvents.INSTANCE.name(), InstanceChange::from).stream().filter(c -> c.to().equals("serving")).toList();
    }

    /** The audit trail's events of a type (read while the role appends: a torn last line throws, and the wait reads again). */
    private List<Event> audit(String type) throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        List<Event> out = new ArrayList<>();
        if (Files.exists(trail)) {
            for (String line : Files.readAllLines(trail)) {
                Event e = EventCodec.decode(line);
                if (e.type().equals(type)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    private boolean done(String action, ActionOutcome.Call call) throws Exception {
        for (Event e : audit(PolicyEvents.OUTCOME.name())) {
            ActionOutcome o = ActionOutcome.from(e);
            if (o.actionId().equals(action) && o.call() == call && o.result() == ActionOutcome.Result.OK) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aLinkAlarmClosesTheRemoteCloudSoTheOverloadsCloneGoesFarAndTheRecoveryOpensItAgain() throws Exception {
        ScaleConfig config = config();
        ProcessDriver.network(config, PREFIX);
        edge = new EdgeProxy(new InetSocketAddress("10.97.71.1", 0), List.of(), e -> { });
        edgeApi = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, BearerToken.of(TOKEN), ApiLimits.DEFAULT);
        EdgeClient edgeClient = new EdgeClient(URI.create("http://127.0.0.1:" + edgeApi.address().getPort()), TOKEN);
        Path token = dir.resolve("scaler-api.token");
        ScalerOptions options = new ScalerOptions(Duration.ofSeconds(20), Duration.ofSeconds(1), null, null);
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("scale", "alarms", "actions")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            try (Publisher scale = admin.publisher("scale");
                 Publisher loads = admin.publisher("scale");
                 Publisher alarms = admin.publisher("alarms");
                 ScalerRole scaler = new ScalerRole(config, lifecycle -> new ProcessDriver(config, PREFIX, dir.resolve("work"), lifecycle),
                         edgeClient, options, Clock.system(), e -> {
                             events.add(e);
                             scale.publish(e);
                         });
                 ScalerApi api = new ScalerApi(new InetSocketAddress("127.0.0.1", 0), BearerToken.loadOrCreate(token), scaler)) {
                String text = Files.readString(Path.of("../examples/policies/scaling.yaml"))
                        .replace("http://127.0.0.1:8091/actions", "http://127.0.0.1:" + api.address().getPort() + "/actions")
                        .replace("token-file: scaler-api.token", "token-file: \"" + token + "\"");
                try (PolicyRole policy = new PolicyRole(admin, Policy.parse("scaling.yaml", text), List.of("scale", "alarms"), "actions",
                        dir.resolve("audit.jsonl"), false, Clock.system())) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> serving().size() == 1);

                    alarms.publish(Event.state("cloud-link.connect_ms", System.currentTimeMillis(), "remote", "ok", "critical",
                            Map.of("value", 250.0)));
                    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> done(BAN, ActionOutcome.Call.DEPLOY));
                    await().atMost(Duration.ofSeconds(5)).until(() -> !of(ScaleEvents.CLOUD.name(), CloudAccess::from).isEmpty());

                    loads.publish(new LoadLevel(System.currentTimeMillis(), "sip", "ok", "overload", 1, 2, 1000.0, null).toEvent());
                    await().atMost(Duration.ofSeconds(30)).until(() -> serving().size() == 2);
                    assertThat(serving().getLast().cloud()).as("remote is cheaper, but closed").isEqualTo("far");
                    ScaleStep step = of(ScaleEvents.STEP.name(), ScaleStep::from).getLast();
                    assertThat(step.step()).isEqualTo("scaler/scale-out/sip");
                    assertThat(step.why()).isEqualTo("remote is forbidden by the policy (" + BAN + ")");

                    alarms.publish(Event.state("cloud-link.connect_ms", System.currentTimeMillis(), "remote", "critical", "ok",
                            Map.of("value", 0.4)));
                    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> done(BAN, ActionOutcome.Call.REVOKE));
                    await().atMost(Duration.ofSeconds(5)).until(() -> of(ScaleEvents.CLOUD.name(), CloudAccess::from).size() == 2);
                }
            }
        }
        assertThat(of(ScaleEvents.CLOUD.name(), CloudAccess::from)).extracting(a -> a.cloud() + " " + a.from() + "->" + a.to())
                .containsExactly("remote open->forbidden", "remote forbidden->open");
        ActionDecision ban = audit(PolicyEvents.DECISION.name()).stream().map(e -> {
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
