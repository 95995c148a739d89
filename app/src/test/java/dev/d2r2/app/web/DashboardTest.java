package dev.d2r2.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.scale.events.InstanceChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's REST API over HTTP, and its description (openapi.yaml) held against what it serves. */
class DashboardTest {
    /** Every path the dashboard serves, as openapi.yaml names them. */
    private static final Set<String> SERVED = Set.of("/", "/{file}", "/api/services", "/api/timeline", "/api/audit",
            "/api/heatmap", "/api/actions", "/api/diagnosis", "/api/instances", "/api/chain", "/api/report", "/api/story", "/api/openapi.yaml",
            "/api/tunnels", "/api/replicas");
    private static final ObjectMapper JSON = ConfigLoader.json();

    @TempDir
    Path dir;
    private ObservedDashboard web;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        web = new ObservedDashboard(dir);
        Observatory observatory = web.observatory();
        Dashboard dashboard = web.dashboard();
        long t0 = System.currentTimeMillis() - FloodAndCrash.SECONDS * 1000L;
        FloodAndCrash.feed(observatory, t0);
        dashboard.report(() -> FloodAndCrash.report(t0));
        dashboard.story(() -> FloodAndCrash.story(t0));
        dashboard.replicas(() -> replicas(t0));
    }

    /** A demo's broker replicas after its leader b1 was killed and b2 took over. */
    private static Map<String, Object> replicas(long t0) {
        return Map.of("leader", "b2", "replicas", List.of(
                        Map.of("name", "b1", "address", "127.0.0.1:7101", "role", "down", "applied", 210, "up", false),
                        Map.of("name", "b2", "address", "127.0.0.1:7102", "role", "leader", "applied", 260, "up", true),
                        Map.of("name", "b3", "address", "127.0.0.1:7103", "role", "follower", "applied", 260, "up", true)),
                "changes", List.of(Map.of("time", t0 + 9_000, "from", "b1", "to", "b2")));
    }

    @AfterEach
    void stop() {
        http.close();
        if (web != null) {
            web.close();
        }
    }

    private static JsonNode openapi() throws Exception {
        try (InputStream in = Dashboard.class.getResourceAsStream("/dev/d2r2/app/web/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the classpath").isNotNull();
            return new YAMLMapper().readTree(in);
        }
    }

    private HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + web.dashboard().address().getPort() + pathAndQuery);
        HttpRequest request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDescriptionIsOpenApi31AndDocumentsEveryPathTheDashboardServes() throws Exception {
        JsonNode spec = openapi();
        assertThat(spec.path("openapi").asText()).startsWith("3.1.");
        Set<String> documented = new TreeSet<>();
        spec.path("paths").fieldNames().forEachRemaining(documented::add);
        assertThat(documented).isEqualTo(new TreeSet<>(SERVED));
        List<String> refs = new ArrayList<>();
        spec.findValues("$ref").forEach(r -> refs.add(r.asText()));
        assertThat(refs).isNotEmpty().allSatisfy(r -> assertThat(spec.at(r.substring(1)).isMissingNode())
                .as("%s resolves", r).isFalse());
        assertThat(spec.at("/components/schemas/Error/required").toString()).isEqualTo("[\"error\"]");
    }

    @Test
    void everyDocumentedOperationAnswersWithADocumentedStatusAndTheRequiredFields() throws Exception {
        JsonNode spec = openapi();
        for (Map.Entry<String, JsonNode> path : spec.path("paths").properties()) {
            JsonNode get = path.getValue().path("get");
            HttpResponse<String> r = send("GET", example(spec, path.getKey(), get));
            String status = Integer.toString(r.statusCode());
            assertThat(get.path("responses").has(status)).as("GET %s answered %s, which is documented", path.getKey(), status)
                    .isTrue();
            assertThat(r.statusCode()).as("GET %s with its examples", path.getKey()).isEqualTo(200);
            JsonNode schema = resolve(spec, get.at("/responses/200/content/application~1json/schema"));
            if (!schema.isMissingNode()) {
                JsonNode body = JSON.readTree(r.body());
                assertThat(body.isArray()).as("GET %s is an array", path.getKey()).isEqualTo(schema.path("type").asText().equals("array"));
                schema.path("required").forEach(field -> assertThat(body.has(field.asText()))
                        .as("GET %s has %s", path.getKey(), field.asText()).isTrue());
            }
        }
        assertThat(web.dashboard().badRequests()).isZero();
    }

    /** The path with its parameters filled from their examples. */
    private static String example(JsonNode spec, String path, JsonNode operation) {
        StringBuilder query = new StringBuilder();
        for (JsonNode p : operation.path("parameters")) {
            JsonNode param = resolve(spec, p);
            String value = URLEncoder.encode(param.path("example").asText(), StandardCharsets.UTF_8);
            if (param.path("in").asText().equals("path")) {
                path = path.replace("{" + param.path("name").asText() + "}", value);
            } else {
                query.append(query.isEmpty() ? "?" : "&").append(param.path("name").asText()).append('=').append(value);
            }
        }
        return path + query;
    }

    private static JsonNode resolve(JsonNode spec, JsonNode node) {
        return node.has("$ref") ? spec.at(node.path("$ref").asText().substring(1)) : node;
    }

    @Test
    void thePageAndItsFilesAreServedWithTheirTypes() throws Exception {
        Map<String, String> types = Map.of("/", "text/html", "/index.html", "text/html", "/app.js", "text/javascript",
                "/style.css", "text/css", "/api/openapi.yaml", "application/yaml");
        for (Map.Entry<String, String> t : types.entrySet()) {
            HttpResponse<String> r = send("GET", t.getKey());
            assertThat(r.statusCode()).as(t.getKey()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).as(t.getKey()).hasValueSatisfying(v -> assertThat(v).startsWith(t.getValue()));
            assertThat(r.body()).isNotBlank();
        }
        assertThat(send("GET", "/").body()).contains("<script src=\"app.js\"", "data-testid=\"service-map\"");
    }

    @Test
    void theViewsAnswerFromTheObservatory() throws Exception {
        JsonNode services = JSON.readTree(send("GET", "/api/services").body());
        assertThat(services.path("servers").findValuesAsText("state")).containsExactly("up", "up", "down", "draining");
        assertThat(services.path("traffic").path("dialogs").asLong()).isPositive();

        JsonNode all = JSON.readTree(send("GET", "/api/timeline?limit=100000").body()).path("events");
        long last = all.get(all.size() - 1).path("seq").asLong();
        JsonNode tail = JSON.readTree(send("GET", "/api/timeline?since=" + (last - 2) + "&limit=1").body()).path("events");
        assertThat(tail).singleElement().satisfies(e -> assertThat(e.path("seq").asLong()).isEqualTo(last - 1));
        assertThat(JSON.readTree(send("GET", "/api/timeline?limit=4294967295").body()).path("events"))
                .as("a limit beyond an int is no limit").hasSize(all.size());

        JsonNode chain = JSON.readTree(send("GET", "/api/chain?action=" + URLEncoder.encode(FloodAndCrash.THROTTLE,
                StandardCharsets.UTF_8)).body());
        assertThat(chain.path("chain").findValuesAsText("kind")).containsExactly("action", "context", "alert", "alarm", "alarm");
        assertThat(JSON.readTree(send("GET", "/api/heatmap?metric=up").body()).path("rows").path(FloodAndCrash.S3).toString())
                .as("s3 up until it crashed").startsWith("[1.0").endsWith("0.0]");
        assertThat(JSON.readTree(send("GET", "/api/heatmap?metric=nothing").body()).path("rows").isEmpty()).isTrue();

        assertThat(JSON.readTree(send("GET", "/api/instances").body()).path("instances").isEmpty()).isTrue();
        long t = System.currentTimeMillis();
        web.observatory().accept("scale", new InstanceChange(t, "sip-2", null, "starting", "sip", "remote", "10.81.2.2:5060", null).toEvent());
        web.observatory().accept("scale", new InstanceChange(t + 5, "sip-2", "starting", "failed", "sip", "remote", "10.81.2.2:5060",
                "no answer to SIP OPTIONS within 15000 ms").toEvent());
        JsonNode instance = JSON.readTree(send("GET", "/api/instances").body()).path("instances").get(0);
        assertThat(instance.path("name").asText()).isEqualTo("sip-2");
        assertThat(instance.path("state").asText()).isEqualTo("failed");
        assertThat(instance.path("since").asLong()).isEqualTo(t + 5);
        assertThat(instance.path("why").asText()).isEqualTo("no answer to SIP OPTIONS within 15000 ms");

        assertThat(JSON.readTree(send("GET", "/api/tunnels").body()).path("tunnels").isEmpty()).isTrue();
        TunnelFixture.connected(web.observatory(), t);
        TunnelFixture.failover(web.observatory(), t + 1_000);
        JsonNode tunnel = JSON.readTree(send("GET", "/api/tunnels").body()).path("tunnels").get(0);
        assertThat(tunnel.path("dn").asText()).isEqualTo("dn2");
        assertThat(tunnel.path("failovers").asInt()).isEqualTo(1);
        assertThat(tunnel.path("route").path("via").asText()).isEqualTo("10.3.2.2");
        assertThat(tunnel.path("paths").findValuesAsText("path")).containsExactly("p1", "p2");
    }

    @Test
    void refusedRequestsGetAJsonErrorAndAreCounted() throws Exception {
        web.dashboard().report(() -> null);
        web.dashboard().story(() -> null);
        record Refused(String method, String path, int status) {
        }
        List<Refused> refused = List.of(
                new Refused("GET", "/api/nothing", 404),
                new Refused("GET", "/api/timeline?since=yesterday", 400),
                new Refused("GET", "/api/timeline?limit=many", 400),
                new Refused("GET", "/api/audit?since=-1", 400),
                new Refused("GET", "/api/chain", 400),
                new Refused("GET", "/api/chain?action=nothing", 404),
                new Refused("GET", "/api/report", 404),
                new Refused("GET", "/api/story", 404),
                new Refused("POST", "/api/services", 405),
                new Refused("DELETE", "/api/actions", 405),
                new Refused("POST", "/", 405),
                new Refused("PUT", "/app.js", 405),
                new Refused("GET", "/..%2F..%2Fpom.xml", 404),
                new Refused("GET", "/dev/d2r2/app/web/index.html", 404),
                new Refused("GET", "/nothing.js", 404));
        for (Refused r : refused) {
            HttpResponse<String> answer = send(r.method(), r.path());
            assertThat(answer.statusCode()).as("%s %s", r.method(), r.path()).isEqualTo(r.status());
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(JSON.readTree(answer.body()).path("error").asText()).as("%s %s", r.method(), r.path()).isNotBlank();
        }
        assertThat(web.dashboard().badRequests()).isEqualTo(refused.size());
        assertThat(send("GET", "/api/services").statusCode()).isEqualTo(200);
        assertThat(web.dashboard().badRequests()).as("a good request is not counted").isEqualTo(refused.size());
    }
}
