package dev.d2r2.app;

import dev.d2r2.app.node.EdgeConfig;
import dev.d2r2.app.node.EdgeService;
import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Event;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The edge's API as {@code d2r2 run} wires it: the token file created beside the configuration and
 * read by the policy's webhook, the policy's allow-list enforced at the edge, unauthenticated
 * calls refused, and the flood alert still blocking the attacker end to end.
 */
class EdgeApiRunTest {
    @TempDir
    Path dir;

    private static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Node.Checked check(String yaml) throws Exception {
        return Node.check(ConfigLoader.parse(dir.resolve("node.yaml").toString(), yaml, NodeConfig.class), dir);
    }

    private static HttpResponse<String> post(URI uri, String body, String token) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void theNodeWiresTheTokenForThePolicyWebhookAndEnforcesThePolicysAllowListAtTheEdge() throws Exception {
        int api = freeTcpPort();
        int server = freeUdpPort();
        Files.writeString(dir.resolve("policy.yaml"), Files.readString(Path.of("../examples/policies/sip-flooding.yaml"))
                .replace("sip-edge: { kind: log,", "sip-edge: { kind: webhook, url: \"http://127.0.0.1:" + api
                        + "/actions\", token-file: edge-api.token,")
                .replace("\"127.0.0.0/8\", ", "\"198.51.100.0/24\", \"alice\", "));
        Node.Checked c = check("""
                broker: {listen: 127.0.0.1:0, data: broker}
                sip-servers: [{name: s, listen: "127.0.0.1:%d"}]
                lb:
                  listen: 127.0.0.1:0
                  backends: [{address: "127.0.0.1:%d"}]
                  api: {listen: "127.0.0.1:%d", token-file: edge-api.token, allow: [203.0.113.9]}
                policy: {file: policy.yaml, inputs: [alerts], actions: actions, audit: audit.jsonl}
                """.formatted(server, server, api));
        try (Node node = Node.start(c, e -> { })) {
            Path tokenFile = dir.resolve("edge-api.token");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
            String token = Files.readString(tokenFile).strip();
            URI actions = URI.create("http://127.0.0.1:" + api + "/actions");
            var enforcement = node.edge().edge().enforcement();

            assertThat(post(actions, "{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"0.0.0.0/0\"}", null).statusCode()).isEqualTo(401);
            for (String allowed : List.of("198.51.100.7", "sip:noc@example.com", "203.0.113.9", "203.0.0.0/16")) {
                HttpResponse<String> r = post(actions, "{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"" + allowed + "\"}", token);
                assertThat(r.statusCode()).as(allowed).isEqualTo(403);
                assertThat(r.body()).as(allowed).contains("allow-list");
            }
            assertThat(enforcement.size()).isZero();

            try (BrokerClient admin = node.broker().connectLocal(Broker.ADMIN); Publisher alerts = admin.publisher("alerts")) {
                alerts.publish(new Event("a1", "FloodingSuspect", System.currentTimeMillis(), "edge-1", null, null,
                        Map.of("attacker", "127.0.0.2", "edge", "edge-1", "chronicle", "FloodingSource")));
                await().atMost(Duration.ofSeconds(10)).until(() -> enforcement.size() == 2);
            }
        }
    }

    @Test
    void anApiReachableBeyondLoopbackWithoutATokenFileDoesNotStartAndTheShortFormTakesNoChanges() throws Exception {
        int server = freeUdpPort();
        EdgeConfig open = ConfigLoader.parse("lb.yaml", """
                listen: 127.0.0.1:0
                backends: [{address: "127.0.0.1:%d"}]
                api: 0.0.0.0:0
                """.formatted(server), EdgeConfig.class);
        assertThatThrownBy(() -> new EdgeService(open, null, e -> { }))
                .hasMessageContaining("reachable beyond this machine: give it a token-file");
        EdgeConfig shortForm = open.withApi(dev.d2r2.app.node.ApiConfig.listening("127.0.0.1:0"));
        try (EdgeService s = new EdgeService(shortForm, null, e -> { })) {
            URI actions = URI.create("http://127.0.0.1:" + s.api().getPort() + "/actions");
            HttpResponse<String> r = post(actions, "{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"192.0.2.1\"}", "anything-at-all-0123");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(s.edge().enforcement().size()).isZero();
        }
    }

    @Test
    void lbTakesTheTokenFileRelativeToItsConfigurationAndCreatesItPrivate() throws Exception {
        int server = freeUdpPort();
        Path sub = Files.createDirectories(dir.resolve("conf"));
        Path config = Files.writeString(sub.resolve("lb.yaml"), """
                listen: 127.0.0.1:0
                backends: [{address: "127.0.0.1:%d"}]
                api: {listen: "127.0.0.1:0", token-file: secrets/edge-api.token, min-prefix-v4: 24}
                """.formatted(server));
        assertThat(Main.commandLine().execute("lb", "--config", config.toString(), "--duration", "100ms")).isZero();
        Path token = sub.resolve("secrets/edge-api.token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        assertThat(Files.readString(token).strip()).hasSize(43);
    }

    @Test
    void apiMistakesAreReportedAtTheirKey() {
        assertThatThrownBy(() -> check("""
                lb:
                  backends: [{address: 127.0.0.1:5070}]
                  api: {listen: 127.0.0.1:8090, min-prefix-v4: 40}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("node.yaml:3:").hasMessageContaining("min-prefix-v4");
        assertThatThrownBy(() -> check("""
                lb:
                  backends: [{address: 127.0.0.1:5070}]
                  api: {listen: 127.0.0.1:8090, allow: [everyone]}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("allow").hasMessageContaining("everyone");
        assertThatThrownBy(() -> check("""
                lb:
                  backends: [{address: 127.0.0.1:5070}]
                  api: {listen: 127.0.0.1:8090, token: abc}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("token");
    }

    @Test
    void aPolicyWebhookToTheEdgesApiWithoutTheTokenIsAMistake() throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), Files.readString(Path.of("../examples/policies/sip-flooding.yaml"))
                .replace("sip-edge: { kind: log,", "sip-edge: { kind: webhook, url: \"http://localhost:8090/actions\","));
        String node = """
                broker: {listen: 127.0.0.1:0, data: broker}
                lb:
                  backends: [{address: 127.0.0.1:5070}]
                  api: {listen: 127.0.0.1:8090, token-file: edge-api.token}
                policy: {file: policy.yaml}
                """;
        assertThatThrownBy(() -> check(node)).isInstanceOf(ConfigException.class)
                .hasMessage("policy.yaml: actuator sip-edge posts to the edge's API (port 8090) without its token: give it token-file: edge-api.token");
        assertThat(check(node.replace("8090, token", "8091, token"))).isNotNull();
    }
}
