package dev.d2r2.scale;

import dev.d2r2.core.actuator.http.BearerToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The scaler's actuator API over real loopback HTTP: the webhook's calls, and what it refuses. */
class ScalerApiTest {
    private static final String TOKEN = "scaler-api-test-token-0123456789";
    private final List<Object> submitted = new CopyOnWriteArrayList<>();
    /** How the role ends the steps it is handed; null: never. */
    private final AtomicReference<AwaitedStep.End> end = new AtomicReference<>(new AwaitedStep.End(true, null));
    private final HttpClient http = HttpClient.newHttpClient();
    private ScalerApi api;

    @BeforeEach
    void start() throws Exception {
        Scaling role = new Scaling() {
            @Override
            public boolean knows(String type) {
                return type.equals("sip");
            }

            @Override
            public boolean hasCloud(String cloud) {
                return cloud.equals("remote");
            }

            @Override
            public boolean serves(String address) {
                return address.equals("10.81.1.2:5060");
            }

            @Override
            public boolean submit(Object request) {
                if (request instanceof AwaitedStep a) {
                    submitted.add(a.request());
                    if (end.get() != null) {
                        a.done().complete(end.get());
                    }
                    return true;
                }
                return submitted.add(request);
            }

            @Override
            public List<Map<String, String>> instances() {
                return List.of(Map.of("name", "sip-1", "state", "serving"));
            }
        };
        api = new ScalerApi(new InetSocketAddress("127.0.0.1", 0), BearerToken.of(TOKEN), role);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> post(String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + "/actions"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final String SCALE_OUT = "{\"call\":\"deploy\",\"id\":\"scaler/scale-out/sip\",\"actuator\":\"scaler\","
            + "\"op\":\"scale-out\",\"target\":\"sip\",\"params\":{},\"expires\":1795000120000}";

    @Test
    void theWebhookDeployOfAScaleOutBecomesARequestNamedByTheActionId() throws Exception {
        HttpResponse<String> r = post(TOKEN, SCALE_OUT);
        assertThat(r.statusCode()).as("answered once the step is over").isEqualTo(200);
        assertThat(submitted).containsExactly(new ScaleRequest(ScaleRequest.OUT, "sip", "scaler/scale-out/sip"));
        assertThat(post(TOKEN, "{\"call\":\"revoke\",\"id\":\"scaler/scale-out/sip\",\"op\":\"scale-out\",\"target\":\"sip\"}")
                .statusCode()).as("a revoke undoes nothing").isEqualTo(204);
        assertThat(submitted).hasSize(1);
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort()
                + "/instances")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.body()).contains("\"sip-1\"", "\"serving\"");
    }

    @Test
    void aFailedStepIsA502WithItsReasonAndADeclinedOneA200SayingWhy() throws Exception {
        end.set(AwaitedStep.End.failed("sip-2 in remote did not come into service: no answer to SIP OPTIONS within 15000 ms"));
        HttpResponse<String> failed = post(TOKEN, SCALE_OUT);
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.body()).contains("sip-2 in remote did not come into service: no answer to SIP OPTIONS within 15000 ms");

        end.set(new AwaitedStep.End(true, "at max (6)"));
        HttpResponse<String> declined = post(TOKEN, SCALE_OUT);
        assertThat(declined.statusCode()).isEqualTo(200);
        assertThat(declined.body()).contains("\"declined\":\"at max (6)\"");
    }

    @Test
    void aStepStillUnderWayWhenTheApiClosesIsAnsweredAsFailed() throws Exception {
        end.set(null);
        CompletableFuture<HttpResponse<String>> r = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + api.address().getPort() + "/actions"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(SCALE_OUT)).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> submitted.size() == 1);
        assertThat(r).as("no answer while the step is under way").isNotDone();
        api.close();
        HttpResponse<String> answer = r.get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(answer.body()).contains("closed before the step was over");
    }

    @Test
    void theWebhookDeployOfAReplaceNamesTheServingInstanceByItsBackendId() throws Exception {
        HttpResponse<String> r = post(TOKEN, "{\"call\":\"deploy\",\"id\":\"scaler/replace/10.81.1.2:5060\",\"actuator\":\"scaler\","
                + "\"op\":\"replace\",\"target\":\"10.81.1.2:5060\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(submitted).containsExactly(new ReplaceRequest("10.81.1.2:5060", "scaler/replace/10.81.1.2:5060"));
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"replace\",\"target\":\"10.81.1.9:5060\"}").statusCode())
                .as("no instance serves there").isEqualTo(404);
        assertThat(post(TOKEN, "{\"call\":\"revoke\",\"op\":\"replace\",\"target\":\"10.81.1.2:5060\"}").statusCode())
                .as("a replacement done stays done").isEqualTo(204);
        assertThat(submitted).hasSize(1);
    }

    @Test
    void aForbidCloneDeployClosesTheCloudAndItsRevokeLiftsIt() throws Exception {
        String id = "scaler-placement/forbid-clone/remote?type=sip";
        HttpResponse<String> r = post(TOKEN, "{\"call\":\"deploy\",\"id\":\"" + id + "\",\"actuator\":\"scaler-placement\","
                + "\"op\":\"forbid-clone\",\"target\":\"remote\",\"params\":{\"type\":\"sip\"},\"expires\":1795000600000}");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(post(TOKEN, "{\"call\":\"revoke\",\"id\":\"" + id + "\",\"op\":\"forbid-clone\",\"target\":\"remote\","
                + "\"params\":{\"type\":\"sip\"}}").statusCode()).isEqualTo(204);
        assertThat(submitted).containsExactly(new CloneBan(id, "remote", "sip", 1_795_000_600_000L), new CloneBan.Lift(id));

        submitted.clear();
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"forbid-clone\",\"target\":\"mars\"}").statusCode())
                .as("unknown cloud").isEqualTo(404);
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"forbid-clone\",\"target\":\"remote\",\"params\":{\"type\":\"web\"}}")
                .statusCode()).as("unknown type").isEqualTo(404);
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"forbid-clone\",\"target\":\"remote\",\"params\":{\"size\":\"1\"}}")
                .statusCode()).as("unknown parameter").isEqualTo(422);
        assertThat(submitted).isEmpty();
    }

    @Test
    void refusesWithoutTheTokenAndBadCallsChangingNothing() throws Exception {
        String good = "{\"call\":\"deploy\",\"op\":\"scale-out\",\"target\":\"sip\"}";
        assertThat(post(null, good).statusCode()).isEqualTo(401);
        assertThat(post("wrong-token-wrong-token-wrong", good).statusCode()).isEqualTo(401);
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"scale-out\",\"target\":\"sip\",\"count\":50}").statusCode()).isEqualTo(400);
        assertThat(post(TOKEN, "[1,2]").statusCode()).isEqualTo(400);
        assertThat(post(TOKEN, "not json").statusCode()).isEqualTo(400);
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"scale-out\",\"target\":\"web\"}").statusCode()).isEqualTo(404);
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"reboot\",\"target\":\"sip\"}").statusCode()).isEqualTo(422);
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"scale-out\",\"target\":\"sip\",\"id\":\"" + "x".repeat(20_000) + "\"}")
                .statusCode()).isEqualTo(413);
        assertThat(submitted).isEmpty();
    }

    @Test
    void listensOnLoopbackOnly() {
        assertThatThrownBy(() -> new ScalerApi(new InetSocketAddress("0.0.0.0", 0), BearerToken.of(TOKEN), null))
                .hasMessageContaining("loopback only");
    }
}
