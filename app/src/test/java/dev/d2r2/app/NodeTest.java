package dev.d2r2.app;

import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.app.node.RoleAccess;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.ConnectionLimits;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.sip.load.SipLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code d2r2 run}: roles from one configuration, in one process or spread over two against one broker. */
class NodeTest {
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Node.Checked check(String name, String yaml) throws Exception {
        return Node.check(ConfigLoader.parse(dir.resolve(name).toString(), yaml, NodeConfig.class), dir);
    }

    @Test
    void mistakesAreReportedAtTheirKeyBeforeAnythingStarts() throws Exception {
        assertThatThrownBy(() -> check("a.yaml", "broker: {}\nconnect: {identity: x}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("a.yaml:2:").hasMessageContaining("not both");
        assertThatThrownBy(() -> check("b.yaml", "broker: {}\nlb:\n  listen: 127.0.0.1:5060\n  backends: []\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("b.yaml:4:3").hasMessageContaining("at least one backend");
        assertThatThrownBy(() -> check("c.yaml", "broker: {}\nlb:\n  backends: [{address: 127.0.0.1:5070}]\n  wieght: 2\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("c.yaml:4:").hasMessageContaining("wieght");
        assertThatThrownBy(() -> check("d.yaml", "monitor: {services: []}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("d.yaml:1:").hasMessageContaining("through a broker");
        Files.writeString(dir.resolve("bad.chr"), "chronicle X {\n  event(a, t1)\n  evnt(b, t2)\n}\n");
        assertThatThrownBy(() -> check("e.yaml", "broker: {}\nchronicles: {files: [bad.chr]}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bad.chr:3:");
        Files.writeString(dir.resolve("bad-policy.yaml"), "rules:\n  - name: r\n    kind: maybe\n");
        assertThatThrownBy(() -> check("f.yaml", "broker: {}\npolicy: {file: bad-policy.yaml}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bad-policy.yaml:3:");
    }

    @Test
    void brokerConnectionLimitsAreReadWithDefaultsAndCheckedAtTheirKey() throws Exception {
        Node.Checked c = check("limits.yaml", "broker:\n  limits: {connectionsPerIdentity: 3, frameTimeout: 2s}\n");
        ConnectionLimits limits = c.config().broker().connectionLimits();
        assertThat(limits.connectionsPerIdentity()).isEqualTo(3);
        assertThat(limits.frameTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(limits.connections()).isEqualTo(ConnectionLimits.DEFAULTS.connections());
        assertThatThrownBy(() -> check("g.yaml", "broker:\n  limits:\n    frameMemory: 64MB\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("g.yaml:").hasMessageContaining("not a size");
        assertThatThrownBy(() -> check("h.yaml", "broker:\n  limits: {conections: 3}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("conections");
    }

    @Test
    void runCheckExitsZeroOnAGoodConfigurationAndTwoOnABadOne() throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), "broker: {listen: 127.0.0.1:0}\n");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "broker: {listen: nowhere}\n");
        PrintStream savedErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute("run", "--config", good.toString(), "--check")).isZero();
            assertThat(Main.commandLine().execute("run", "--config", bad.toString(), "--check")).isEqualTo(2);
        } finally {
            System.setErr(savedErr);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(bad + ":1:");
    }

    @Test
    void oneNodeRunsServersAnEdgeAndTheDashboardThatCallsGoThrough() throws Exception {
        int s1 = freePort();
        int s2 = freePort();
        Node.Checked c = check("node.yaml", """
                broker: {listen: 127.0.0.1:0, data: broker}
                sip-servers:
                  - {name: s1, listen: "127.0.0.1:%d", dialogs: dialogs}
                  - {name: s2, listen: "127.0.0.1:%d", dialogs: dialogs}
                lb:
                  listen: 127.0.0.1:0
                  backends: [{address: "127.0.0.1:%d"}, {address: "127.0.0.1:%d"}]
                  telemetry: edge
                dashboard: {listen: 127.0.0.1:0}
                """.formatted(s1, s2, s1, s2));
        try (Node node = Node.start(c, e -> { })) {
            SipLoad.Report r = new SipLoad(new SipLoad.Plan(node.edge().edge().address(), 50, Duration.ofMillis(100), 5, 0, 1,
                    "INVITE", Duration.ofSeconds(1))).run();
            assertThat(r.calls()).isPositive();
            assertThat(r.callsOk()).isEqualTo(r.calls());
            assertThat(node.sipServers().values()).allSatisfy(s -> assertThat(s.counters().get("calls.started")).isPositive());
            java.util.concurrent.atomic.AtomicLong shared = new java.util.concurrent.atomic.AtomicLong();
            try (BrokerClient client = node.broker().connectLocal(Broker.ADMIN);
                 var sub = client.subscribe("dialogs", dev.d2r2.broker.StartPosition.fromOffset(0), d -> shared.incrementAndGet())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> shared.get() == 2 * r.calls());
            }
            HttpClient http = HttpClient.newHttpClient();
            URI services = URI.create("http://127.0.0.1:" + node.dashboard().address().getPort() + "/api/services");
            await().atMost(Duration.ofSeconds(10)).until(() -> http.send(HttpRequest.newBuilder(services).build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("127.0.0.1:" + s2));
        }
        try (DatagramSocket again = new DatagramSocket(s1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).as("closed with the node").isEqualTo(s1);
        }
    }

    @Test
    void eachRoleConnectsAsItsOwnIdentityAndMayUseOnlyItsOwnChannels() throws Exception {
        Files.copy(Path.of("..", "examples", "policies", "sip-flooding.yaml"), dir.resolve("policy.yaml"));
        Node.Checked c = check("node.yaml", """
                name: n1
                broker: {listen: 127.0.0.1:0, data: broker}
                monitor: {services: []}
                policy: {file: policy.yaml, audit: audit.jsonl, dry-run: true}
                dashboard: {listen: 127.0.0.1:0}
                """);
        try (Node node = Node.start(c, e -> { }); BrokerClient admin = node.broker().connectLocal(Broker.ADMIN)) {
            assertThat(node.identity(RoleAccess.POLICY)).isEqualTo("n1.policy");
            assertThat(admin.channel("alarms").publishers()).containsExactly("n1.monitor");
            assertThat(admin.channel("actions").publishers()).containsExactly("n1.policy");
            assertThat(admin.channel("alerts").subscribers()).containsExactlyInAnyOrder("n1.policy", "n1.dashboard");
            try (BrokerClient policy = node.broker().connectLocal(node.identity(RoleAccess.POLICY))) {
                assertThat(policy.identity()).isEqualTo("n1.policy");
                policy.publisher("actions").close();
                assertThatThrownBy(() -> policy.publisher("alarms")).isInstanceOf(BrokerException.class)
                        .satisfies(e -> assertThat(((BrokerException) e).code()).isEqualTo(ErrorCode.FORBIDDEN));
                assertThatThrownBy(() -> policy.subscribe("metrics", StartPosition.live(), d -> { }))
                        .isInstanceOf(BrokerException.class);
            }
        }
    }

    @Test
    void anEdgeOnASecondNodePublishesOnTheFirstNodesBrokerOverTls() throws Exception {
        int server = freePort();
        try (Node first = Node.start(check("broker.yaml", "broker: {listen: 127.0.0.1:0, data: broker}\n"), e -> { })) {
            Broker broker = first.broker();
            Files.copy(broker.adminIdentityPath(), dir.resolve("edge.identity"));
            try (BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
                dev.d2r2.app.node.Channels.ensure(admin, "edge", dev.d2r2.broker.ChannelClass.DEFAULT);
                List<String> seen = new CopyOnWriteArrayList<>();
                try (Subscription sub = admin.subscribe("edge", StartPosition.live(), d -> seen.add(new String(d.payload(), StandardCharsets.UTF_8)));
                     Node second = Node.start(check("edge.yaml", """
                             connect: {identity: edge.identity, address: "127.0.0.1:%d"}
                             sip-servers: [{name: s, listen: "127.0.0.1:%d"}]
                             lb: {listen: 127.0.0.1:0, backends: [{address: "127.0.0.1:%d"}], telemetry: edge}
                             """.formatted(first.brokerAddress().getPort(), server, server)), e -> { })) {
                    assertThat(second.broker()).isNull();
                    await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().anyMatch(p -> p.contains("\"sip.edge.traffic\"")));
                }
            }
        }
    }
}
