package dev.d2r2.sip.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.config.ConfigLoader;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * The attacks on the edge's HTTP API that issue 16 describes, each against a real edge over
 * loopback HTTP: unauthenticated and wrong-token changes, blocking everyone, not-an-address
 * targets, blocking the allow-list, blocks without an end, hostile bodies. Each asserts the
 * answer, that nothing changed, and that the call was counted.
 */
class EdgeApiAttackTest {
    private static final String ALLOWED_RANGE = "192.0.2.0/28";
    private static final String ALLOWED_CALLER = "sip:noc@example.com";

    @TempDir
    Path dir;

    private DatagramSocket backend;
    private EdgeProxy edge;
    private EdgeApi api;
    private String token;
    private HttpClient http;
    private String realBackend;

    @BeforeEach
    void start() throws Exception {
        backend = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(new Backend((InetSocketAddress) backend.getLocalSocketAddress(), 1)),
                Duration.ofHours(1), Duration.ofMillis(300), c -> { });
        realBackend = edge.backends().getFirst().id();
        Path tokenFile = dir.resolve("edge-api.token");
        BearerToken t = BearerToken.loadOrCreate(tokenFile);
        token = BearerToken.read(tokenFile);
        api = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, t,
                ApiLimits.DEFAULT.withAllow(AllowList.of(List.of(ALLOWED_RANGE, ALLOWED_CALLER))));
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        api.close();
        edge.close();
        backend.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> authorized(String method, String path, String body) throws Exception {
        return call(method, path, body, "Bearer " + token);
    }

    private static String block(String target) {
        return "{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"" + target + "\"}";
    }

    private static String error(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode n = ConfigLoader.json().readTree(r.body());
        return n.path("error").asText();
    }

    private List<String> backendIds() {
        return edge.backends().stream().map(Backend::id).toList();
    }

    @Test
    void changesWithoutTheTokenOrWithAWrongOneAreRefusedAndChangeNothing() throws Exception {
        assertThat(authorized("POST", "/actions", block("198.51.100.7")).statusCode()).isEqualTo(200);
        List<String> authorizations = java.util.Arrays.asList(null, "Bearer wrong-token-0123456789abcdef", "Bearer " + token + "x",
                "Bearer " + token.substring(1), "Basic " + token, token, "Bearer ");
        List<String[]> attacks = List.of(
                new String[]{"POST", "/actions", "{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"0.0.0.0/0\"}"},
                new String[]{"POST", "/actions", "{\"call\":\"revoke\",\"op\":\"block\",\"target\":\"198.51.100.7\"}"},
                new String[]{"POST", "/actions", "{\"call\":\"deploy\",\"op\":\"rate-limit\",\"target\":\"127.0.0.1\",\"params\":{\"rate\":\"1/s\"}}"},
                new String[]{"POST", "/backends", "{\"address\":\"127.0.0.1:9\",\"weight\":100}"},
                new String[]{"DELETE", "/backends/" + realBackend, null},
                new String[]{"POST", "/backends/" + realBackend + "/drain", null});
        for (String authorization : authorizations) {
            for (String[] a : attacks) {
                HttpResponse<String> r = call(a[0], a[1], a[2], authorization);
                assertThat(r.statusCode()).as(a[0] + " " + a[1] + " with " + authorization).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                assertThat(error(r)).contains("Authorization: Bearer");
            }
        }
        assertThat(edge.enforcement().size()).isEqualTo(1);
        assertThat(edge.enforcement().blocked(InetAddress.ofLiteral("198.51.100.7"))).isTrue();
        assertThat(edge.enforcement().blocked(InetAddress.ofLiteral("203.0.113.1"))).isFalse();
        assertThat(backendIds()).containsExactly(realBackend);
        assertThat(edge.backend(realBackend).draining()).isFalse();
        assertThat(api.counters()).containsEntry("unauthorized", (long) authorizations.size() * attacks.size())
                .containsEntry("applied", 1L);
    }

    @Test
    void blocksWiderThanTheMinimumPrefixAreRefused() throws Exception {
        for (String wide : List.of("0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/15", "::/0", "2001:db8::/32", "2001:db8::/47")) {
            HttpResponse<String> r = authorized("POST", "/actions", block(wide));
            assertThat(r.statusCode()).as(wide).isEqualTo(403);
            assertThat(error(r)).contains("wider than the edge accepts");
        }
        assertThat(edge.enforcement().size()).isZero();
        assertThat(authorized("POST", "/actions", block("10.1.0.0/16")).statusCode()).isEqualTo(200);
        assertThat(authorized("POST", "/actions", block("2001:db8:1::/48")).statusCode()).isEqualTo(200);
        assertThat(edge.enforcement().blocked(InetAddress.ofLiteral("10.1.200.3"))).isTrue();
        assertThat(edge.enforcement().blocked(InetAddress.ofLiteral("10.2.0.1"))).isFalse();
        assertThat(api.counters()).containsEntry("refused", 6L).containsEntry("applied", 2L);
    }

    @Test
    void targetsThatAreNotAddressesBlocksOrCallersAreBadRequests() throws Exception {
        for (String bad : List.of("not-an-ip", "localhost", "example.com", "1.2.3", "256.1.1.1", "10.0.0.1/33", "10.0.0.0/x",
                "10.0.0.1/24", "fe80::1%eth0", "::ffff:10.0.0.1", "10.0.0.0/", "@", "sip:", " 10.0.0.1")) {
            HttpResponse<String> r = authorized("POST", "/actions", block(bad));
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(error(r)).as(bad).startsWith("target: ");
        }
        assertThat(error(authorized("POST", "/actions", block("not-an-ip"))))
                .isEqualTo("target: not an IP address or a CIDR block: \"not-an-ip\" (e.g. 192.0.2.7 or 192.0.2.0/24)");
        assertThat(error(authorized("POST", "/actions", block("10.0.0.1/24")))).contains("the block is 10.0.0.0/24");
        HttpResponse<String> rate = authorized("POST", "/actions",
                "{\"call\":\"deploy\",\"op\":\"rate-limit\",\"target\":\"10.9.0.0/24\",\"params\":{\"rate\":\"5/s\"}}");
        assertThat(rate.statusCode()).isEqualTo(400);
        assertThat(error(rate)).contains("one source address");
        assertThat(edge.enforcement().size()).isZero();
        assertThat(api.counters()).containsEntry("bad_request", 17L).doesNotContainKey("applied");
    }

    @Test
    void theAllowListIsNeverBlockedNorLimited() throws Exception {
        List<String> attacks = List.of(block("192.0.2.5"), block("192.0.2.0/28"), block("192.0.0.0/16"), block("192.0.2.8/29"),
                block(ALLOWED_CALLER), block("sip:noc@EXAMPLE.com;transport=udp"),
                "{\"call\":\"deploy\",\"op\":\"rate-limit\",\"target\":\"192.0.2.1\",\"params\":{\"rate\":\"1/s\"}}");
        for (String a : attacks) {
            HttpResponse<String> r = authorized("POST", "/actions", a);
            assertThat(r.statusCode()).as(a).isEqualTo(403);
            assertThat(error(r)).as(a).contains("allow-list");
        }
        assertThat(edge.enforcement().size()).isZero();
        assertThat(authorized("POST", "/actions", block("192.0.2.16/28")).statusCode()).isEqualTo(200);
        assertThat(api.counters()).containsEntry("refused", (long) attacks.size());
    }

    @Test
    void aBlockWithoutAnEndOrEndingTooLateIsCutToTheMaximumAndOneInThePastIsRefused() throws Exception {
        long before = System.currentTimeMillis();
        JsonNode endless = ConfigLoader.json().readTree(authorized("POST", "/actions", block("198.51.100.1")).body());
        JsonNode forever = ConfigLoader.json().readTree(authorized("POST", "/actions",
                "{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"198.51.100.2\",\"expires\":" + Long.MAX_VALUE + "}").body());
        long after = System.currentTimeMillis();
        long max = ApiLimits.DEFAULT_MAX_DURATION.toMillis();
        for (JsonNode n : List.of(endless, forever)) {
            assertThat(n.path("expires").asLong()).isBetween(before + max, after + max);
        }
        assertThat(forever.path("target").asText()).isEqualTo("198.51.100.2");
        long soon = System.currentTimeMillis() + 60_000;
        assertThat(ConfigLoader.json().readTree(authorized("POST", "/actions",
                "{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"198.51.100.3\",\"expires\":" + soon + "}").body())
                .path("expires").asLong()).isEqualTo(soon);
        HttpResponse<String> past = authorized("POST", "/actions",
                "{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"198.51.100.4\",\"expires\":1000}");
        assertThat(past.statusCode()).isEqualTo(400);
        assertThat(error(past)).contains("is past");
        assertThat(edge.enforcement().size()).isEqualTo(3);
    }

    @Test
    void hostileBodiesAreAnsweredWithoutAFailure() throws Exception {
        Map<String, Integer> bodies = new java.util.LinkedHashMap<>();
        bodies.put("", 400);
        bodies.put("{", 400);
        bodies.put("[]", 400);
        bodies.put("null", 400);
        bodies.put("\"block\"", 400);
        bodies.put("{\"call\":\"deploy\"}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"block\",\"target\":5}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"10.0.0.1\"} {\"x\":1}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"10.0.0.1\",\"expires\":\"soon\"}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"10.0.0.1\",\"expires\":1e30}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"10.0.0.1\",\"extra\":true}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"10.0.0.1\",\"params\":{\"rate\":\"1\"}}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"10.0.0.1\",\"params\":[1]}", 400);
        bodies.put("{\"call\":\"detonate\",\"op\":\"block\",\"target\":\"10.0.0.1\"}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"rate-limit\",\"target\":\"10.0.0.1\",\"params\":{\"rate\":\"-1/s\"}}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"rate-limit\",\"target\":\"10.0.0.1\",\"params\":{\"rate\":\"NaN\"}}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"rate-limit\",\"target\":\"10.0.0.1\",\"params\":{\"rate\":\"5\",\"method\":\"IN VITE\"}}", 400);
        bodies.put("{\"call\":\"deploy\",\"op\":\"reroute\",\"target\":\"10.0.0.1\"}", 422);
        bodies.put("{\"call\":\"deploy\",\"op\":\"block\",\"target\":\"" + "9".repeat(20_000) + "\"}", 413);
        bodies.put("[".repeat(5_000), 400);
        for (Map.Entry<String, Integer> b : bodies.entrySet()) {
            HttpResponse<String> r = authorized("POST", "/actions", b.getKey());
            String shown = b.getKey().length() > 80 ? b.getKey().substring(0, 80) : b.getKey();
            assertThat(r.statusCode()).as(shown).isEqualTo(b.getValue());
            assertThat(error(r)).as(shown).isNotBlank().doesNotContain("\n");
        }
        for (String bad : List.of("{\"address\":\"evil.example.com:5060\"}", "{\"address\":\"localhost:5060\"}",
                "{\"address\":\"127.0.0.1:70000\"}", "{\"address\":\"127.0.0.1:9\",\"weight\":0}",
                "{\"address\":\"127.0.0.1:9\",\"weight\":\"heavy\"}", "{\"address\":\"10.0.0.0/8:9\"}", "{\"address\":\"::1:5060\"}")) {
            assertThat(authorized("POST", "/backends", bad).statusCode()).as(bad).isEqualTo(400);
        }
        assertThat(edge.enforcement().size()).isZero();
        assertThat(backendIds()).containsExactly(realBackend);
        assertThat(api.counters()).doesNotContainKeys("error", "applied").containsEntry("too_large", 1L)
                .containsEntry("unknown_op", 1L);
    }

    @Test
    void anAuthenticatedBlockDropsTheSourceAtTheEdgeUntilItIsRevoked() throws Exception {
        try (DatagramSocket attacker = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            HttpResponse<String> r = authorized("POST", "/actions", block("127.0.0.2"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(ConfigLoader.json().readTree(r.body()).path("target").asText()).isEqualTo("127.0.0.2");
            send(attacker, 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.counters().getOrDefault("dropped.blocked", 0L) == 1);
            assertThat(authorized("POST", "/actions", "{\"call\":\"revoke\",\"op\":\"block\",\"target\":\"127.0.0.2\"}").statusCode())
                    .isEqualTo(204);
            send(attacker, 2);
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.counters().getOrDefault("forwarded.request", 0L) == 1);
        }
        assertThat(authorized("POST", "/backends", "{\"address\":\"127.0.0.1:9\",\"weight\":2}").statusCode()).isEqualTo(201);
        assertThat(backendIds()).containsExactly(realBackend, "127.0.0.1:9");
        assertThat(authorized("DELETE", "/backends/127.0.0.1:9", null).statusCode()).isEqualTo(204);
        assertThat(backendIds()).containsExactly(realBackend);
    }

    private void send(DatagramSocket from, int n) throws Exception {
        byte[] b = ("OPTIONS sip:svc@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:" + from.getLocalPort() + ";branch=z9hG4bK" + n
                + "\r\nMax-Forwards: 70\r\nFrom: <sip:x@example.com>;tag=" + n + "\r\nTo: <sip:svc@example.com>\r\nCall-ID: attack-" + n
                + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        from.send(new DatagramPacket(b, b.length, edge.address()));
    }

    @Test
    void readsAreOpenOnLoopbackAndAnApiWithoutATokenTakesNoChanges() throws Exception {
        assertThat(call("GET", "/backends", null, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/nowhere", null, null).statusCode()).isEqualTo(404);
        try (EdgeApi readOnly = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, null, ApiLimits.DEFAULT)) {
            URI base = URI.create("http://127.0.0.1:" + readOnly.address().getPort());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/actions")).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(block("198.51.100.9"))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(error(r)).contains("no token");
            assertThat(http.send(HttpRequest.newBuilder(base.resolve("/backends")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
            assertThat(readOnly.counters()).containsEntry("read_only", 1L).containsEntry("read", 1L);
        }
        assertThat(edge.enforcement().size()).isZero();
    }

    @Test
    void theOutcomesAreExportedAsAMetric() throws Exception {
        call("POST", "/actions", block("0.0.0.0/0"), null);
        PrometheusRegistry registry = new PrometheusRegistry();
        api.registerMetrics(registry);
        CounterSnapshot requests = (CounterSnapshot) registry.scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("d2r2_edge_api_requests")).findFirst().orElseThrow();
        assertThat(requests.getDataPoints()).filteredOn(d -> d.getLabels().get("outcome").equals("unauthorized"))
                .singleElement().satisfies(d -> assertThat(d.getValue()).isEqualTo(1.0));
    }

    @Test
    void aTokenFileIsCreatedPrivateAndOneOthersMayReadIsRefused() throws Exception {
        Path created = dir.resolve("new.token");
        BearerToken.loadOrCreate(created);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).isEqualTo("rw-------");
        assertThat(BearerToken.read(created)).hasSizeGreaterThanOrEqualTo(43);
        Path open = dir.resolve("open.token");
        Files.writeString(open, "a-token-that-anyone-may-read\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> BearerToken.load(open)).hasMessageContaining("chmod 600");
        Path shortToken = dir.resolve("short.token");
        Files.writeString(shortToken, "abc\n");
        Files.setPosixFilePermissions(shortToken, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> BearerToken.load(shortToken)).hasMessageContaining("at least 16");
    }
}
