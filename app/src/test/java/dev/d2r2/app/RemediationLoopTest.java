package dev.d2r2.app;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.PolicyRole;
import dev.d2r2.sip.edge.ApiLimits;
import dev.d2r2.sip.edge.Backend;
import dev.d2r2.sip.edge.EdgeApi;
import dev.d2r2.sip.edge.EdgeProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Remediate, for real: a FloodingSuspect alert on the broker → the policy role → its sip-edge
 * actuator (a webhook to the edge's API) → the edge drops the attacker's requests, and forwards
 * them again once FloodingOver revokes the block and the rate limit.
 */
class RemediationLoopTest {
    @TempDir
    Path dir;

    private static void send(DatagramSocket from, InetSocketAddress edge, int n) throws Exception {
        byte[] b = ("OPTIONS sip:svc@example.com SIP/2.0\r\nVia: SIP/2.0/UDP " + from.getLocalAddress().getHostAddress() + ":"
                + from.getLocalPort() + ";branch=z9hG4bK" + n + "\r\nMax-Forwards: 70\r\nFrom: <sip:x@example.com>;tag=" + n
                + "\r\nTo: <sip:svc@example.com>\r\nCall-ID: loop-" + n + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        from.send(new DatagramPacket(b, b.length, edge));
    }

    @Test
    void aFloodAlertMakesTheEdgeDropTheAttackerUntilTheFloodIsOver() throws Exception {
        try (DatagramSocket backend = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket attacker = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                     List.of(new Backend((InetSocketAddress) backend.getLocalSocketAddress(), 1)),
                     Duration.ofHours(1), Duration.ofMillis(300), c -> { });
             EdgeApi api = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, BearerToken.loadOrCreate(dir.resolve("edge-api.token")),
                     ApiLimits.DEFAULT);
             Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            String policyText = Files.readString(Path.of("../examples/policies/sip-flooding.yaml"))
                    .replace("sip-edge: { kind: log,", "sip-edge: { kind: webhook, url: \"http://127.0.0.1:"
                            + api.address().getPort() + "/actions\", token-file: \"" + dir.resolve("edge-api.token") + "\",")
                    .replace("\"127.0.0.0/8\", ", "");
            Policy policy = Policy.parse("flooding.yaml", policyText);
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("alerts", "actions")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            InetSocketAddress edgeAt = edge.address();
            try (Publisher alerts = admin.publisher("alerts");
                 PolicyRole role = new PolicyRole(admin, policy, List.of("alerts"), "actions", dir.resolve("audit.jsonl"), false,
                         Clock.system())) {
                send(attacker, edgeAt, 1);
                await().atMost(Duration.ofSeconds(5)).until(() -> edge.counters().getOrDefault("forwarded.request", 0L) == 1);

                alerts.publish(new Event("a1", "FloodingSuspect", System.currentTimeMillis(), "edge-1", null, null,
                        Map.of("attacker", "127.0.0.2", "edge", "edge-1", "chronicle", "FloodingSource")));
                await().atMost(Duration.ofSeconds(10)).until(() -> edge.enforcement().size() == 2);
                send(attacker, edgeAt, 2);
                await().atMost(Duration.ofSeconds(5)).until(() -> edge.counters().getOrDefault("dropped.blocked", 0L) == 1);

                alerts.publish(Event.message("FloodingOver", System.currentTimeMillis(), "edge-1", Map.of("edge", "edge-1")));
                await().atMost(Duration.ofSeconds(10)).until(() -> edge.enforcement().size() == 0);
                send(attacker, edgeAt, 3);
                await().atMost(Duration.ofSeconds(5)).until(() -> edge.counters().getOrDefault("forwarded.request", 0L) == 2);
            }
        }
    }
}
