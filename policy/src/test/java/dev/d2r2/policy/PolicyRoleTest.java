package dev.d2r2.policy;

import dev.d2r2.policy.events.PolicyEvents;
import com.sun.net.httpserver.HttpServer;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.ManualClock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.d2r2.policy.Fixtures.flood;
import static dev.d2r2.policy.Fixtures.over;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The role on a real broker: alerts in, a real webhook called, decisions out, the trail on disk and used after a restart. */
class PolicyRoleTest {
    @TempDir
    Path dir;
    private HttpServer hook;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startHook() throws Exception {
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/edge", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            calls.add(body.substring(9, body.indexOf('"', 9)) + " " + body.substring(body.indexOf("\"id\":\"") + 6,
                    body.indexOf('"', body.indexOf("\"id\":\"") + 6)));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
    }

    @AfterEach
    void stopHook() {
        hook.stop(0);
    }

    private static Event event(Delivery d) {
        try {
            return d.event();
        } catch (dev.d2r2.core.EventFormatException e) {
            throw new AssertionError(e);
        }
    }

    private Policy policy() throws Exception {
        String text = Fixtures.text(Path.of("..", "examples", "policies", "sip-flooding.yaml"))
                .replace("sip-edge: { kind: log,", "sip-edge: { kind: webhook, url: \"http://127.0.0.1:"
                        + hook.getAddress().getPort() + "/edge\",");
        return Policy.parse("flooding.yaml", text);
    }

    @Test
    void alertsOnTheBrokerDriveTheWebhookAndARestartNeitherForgetsNorRepeats() throws Exception {
        Path trail = dir.resolve("policy").resolve("audit.jsonl");
        Policy policy = policy();
        // A Sunday night: the policy's office-hours context stays inactive whenever the test runs.
        ManualClock clock = new ManualClock(java.time.Instant.parse("2026-11-22T03:00:00Z").toEpochMilli());
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("alerts", "actions")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Delivery> out = new CopyOnWriteArrayList<>();
            try (Subscription sub = admin.subscribe("actions", StartPosition.live(), out::add);
                 Publisher alerts = admin.publisher("alerts")) {
                try (PolicyRole role = new PolicyRole(admin, policy, List.of("alerts"), "actions", trail, false, clock)) {
                    alerts.publish(flood("a1", clock.millis(), "198.51.100.7", "edge-1"));
                    await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 2);
                    assertThat(calls).containsExactly("deploy sip-edge/block/198.51.100.7",
                            "deploy sip-edge/rate-limit/198.51.100.7?rate=5/s");
                    await().atMost(Duration.ofSeconds(10)).until(() -> out.stream()
                            .filter(d -> event(d).type().equals(PolicyEvents.OUTCOME.name())).count() == 2);
                    assertThat(out).extracting(d -> event(d).type()).containsSubsequence(
                            PolicyEvents.CONTEXT.name(), PolicyEvents.DECISION.name(), PolicyEvents.DECISION.name(), PolicyEvents.OUTCOME.name());
                }
                List<Event> audited = AuditLog.read(trail, bad -> {
                    throw new AssertionError(bad);
                });
                assertThat(audited).extracting(Event::type).containsExactly(PolicyEvents.CONTEXT.name(), PolicyEvents.CONTEXT.name(),
                        PolicyEvents.DECISION.name(), PolicyEvents.DECISION.name(), PolicyEvents.OUTCOME.name(), PolicyEvents.OUTCOME.name());

                try (PolicyRole again = new PolicyRole(admin, policy, List.of("alerts"), "actions", trail, false, clock)) {
                    alerts.publish(over(clock.millis(), "edge-1"));
                    await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 4);
                    assertThat(calls.subList(2, 4)).containsExactly("revoke sip-edge/block/198.51.100.7",
                            "revoke sip-edge/rate-limit/198.51.100.7?rate=5/s");
                }
            }
        }
        assertThat(AuditLog.read(trail, bad -> {
        })).extracting(e -> e.type() + " " + e.attrs().getOrDefault("change", e.attrs().getOrDefault("decision",
                e.attrs().get("call") + " " + e.attrs().get("outcome")))).containsExactly(
                "policy.context started", "policy.context activated", "policy.decision deploy", "policy.decision deploy",
                "policy.outcome deploy ok", "policy.outcome deploy ok",
                "policy.context cleared", "policy.decision revoke", "policy.decision revoke",
                "policy.outcome revoke ok", "policy.outcome revoke ok");
    }

    @Test
    void aDryRunRoleDecidesButNeverCallsTheWebhook() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("alerts", "actions")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Delivery> out = new CopyOnWriteArrayList<>();
            try (Subscription sub = admin.subscribe("actions", StartPosition.live(), out::add);
                 Publisher alerts = admin.publisher("alerts");
                 PolicyRole role = new PolicyRole(admin, policy(), List.of("alerts"), "actions", trail, true, Clock.system())) {
                alerts.publish(flood("a1", System.currentTimeMillis(), "198.51.100.7", "edge-1"));
                await().atMost(Duration.ofSeconds(10)).until(() -> out.stream()
                        .filter(d -> event(d).type().equals(PolicyEvents.OUTCOME.name())).count() == 2);
                assertThat(out).filteredOn(d -> event(d).type().equals(PolicyEvents.OUTCOME.name()))
                        .extracting(d -> event(d).attrs().get("outcome")).containsOnly("dry-run");
            }
        }
        assertThat(calls).isEmpty();
    }
}
