package dev.d2r2.core.actuator.http;

import dev.d2r2.core.Clock;
import dev.d2r2.core.actuator.http.ActionApi.Reply;
import dev.d2r2.core.agent.ErrorLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared actuator API over real loopback HTTP: what reaches a handler, and what is refused before. */
class ActionApiTest {
    private static final String TOKEN = "action-api-test-token-0123456789";
    private final List<WebhookCall> calls = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ErrorLog errors = new ErrorLog(LoggerFactory.getLogger(ActionApiTest.class), Clock.system(), 1_000);
    private ActionApi api;

    @BeforeEach
    void start() throws Exception {
        api = ActionApi.builder("the test", new InetSocketAddress("127.0.0.1", 0), BearerToken.of(TOKEN), errors)
                .actions(c -> {
                    calls.add(c);
                    return Reply.ok(Map.of("done", c.action().id()));
                })
                .post("/fail", body -> {
                    throw new IllegalStateException("secret detail");
                })
                .get("/state", () -> Reply.ok(Map.of("calls", calls.size())))
                .start();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAuthenticatedCallReachesItsHandler() throws Exception {
        HttpResponse<String> r = send("POST", "/actions", TOKEN, "{\"call\":\"deploy\",\"id\":\"a1\",\"op\":\"x\",\"target\":\"y\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"done\":\"a1\"}");
        assertThat(calls).extracting(c -> c.action().target()).containsExactly("y");
        assertThat(send("GET", "/state", null, null).body()).isEqualTo("{\"calls\":1}");
    }

    @Test
    void refusesBeforeTheHandlerAndHidesInternalErrors() throws Exception {
        String good = "{\"call\":\"deploy\",\"op\":\"x\",\"target\":\"y\"}";
        assertThat(send("POST", "/actions", null, good).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/actions", "wrong-token-wrong-token", good).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/actions", TOKEN, null).statusCode()).isEqualTo(405);
        assertThat(send("POST", "/state", TOKEN, good).statusCode()).isEqualTo(405);
        assertThat(send("POST", "/actions", TOKEN, "{\"call\":\"deploy\",\"op\":\"x\"}").body()).contains("op and target are required");
        assertThat(send("POST", "/actions", TOKEN, "x".repeat(ActionApi.MAX_BODY + 1)).statusCode()).isEqualTo(413);
        HttpResponse<String> failed = send("POST", "/fail", TOKEN, "{}");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).doesNotContain("secret");
        assertThat(errors.count("api")).isEqualTo(1);
        assertThat(calls).isEmpty();
    }

    @Test
    void bindsBeyondLoopbackOnlyWhenAllowed() {
        assertThatThrownBy(() -> ActionApi.builder("the test", new InetSocketAddress("0.0.0.0", 0), BearerToken.of(TOKEN), errors).start())
                .hasMessageContaining("loopback only");
    }
}
