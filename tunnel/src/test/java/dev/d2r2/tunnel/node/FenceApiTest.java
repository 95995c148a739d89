package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.actuator.http.WebhookCall;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The fence API on a real loopback port: the token is required, only watched DNs and the fence op are taken, revoke lifts. */
class FenceApiTest {
    private static final String TOKEN = "a-token-long-enough-for-the-api";

    @Test
    void aDeployFencesARevokeLiftsAndEverythingElseIsRefused() throws Exception {
        List<Object> orders = new CopyOnWriteArrayList<>();
        Agent recorder = new Agent() {
            @Override
            public String roleName() {
                return "recorder";
            }

            @Override
            public void onMessage(Object message) {
                orders.add(message);
            }
        };
        try (AgentRunner runner = new AgentRunner(recorder, 16, Clock.system());
             FenceApi api = new FenceApi(new InetSocketAddress("127.0.0.1", 0), BearerToken.of(TOKEN), false, runner.start(),
                     "dn1"::equals);
             HttpClient http = HttpClient.newHttpClient()) {
            URI uri = URI.create("http://127.0.0.1:" + api.address().getPort() + "/actions");
            Action fence = new Action("a1", "dn-fence", "fence", "dn1", Map.of(), 0);
            assertThat(post(http, uri, "wrong-token-wrong-token", WebhookCall.deploy(fence))).isEqualTo(401);
            assertThat(post(http, uri, TOKEN, WebhookCall.deploy(new Action("a2", "dn-fence", "fence", "dn9", Map.of(), 0)))).isEqualTo(404);
            assertThat(post(http, uri, TOKEN, WebhookCall.deploy(new Action("a3", "dn-fence", "reboot", "dn1", Map.of(), 0)))).isEqualTo(422);
            assertThat(post(http, uri, TOKEN, WebhookCall.deploy(fence))).isEqualTo(202);
            assertThat(post(http, uri, TOKEN, WebhookCall.revoke(fence))).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> orders.size() == 2);
            assertThat(orders).containsExactly(new FenceOrder("dn1", true), new FenceOrder("dn1", false));
        }
    }

    private static int post(HttpClient http, URI uri, String token, WebhookCall call) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(call.toJson())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
