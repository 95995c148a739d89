package dev.d2r2.overlay.route;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.overlay.events.PathState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The route agent's actuator API on loopback, for an agent under --reroute policy whose
 * destination never answers: the agent only detects (the path goes down, no search), the
 * policy engine's deploy starts the search and its revoke ends it; bad calls are refused.
 */
class RouteApiTest {
    private static final String TOKEN = "a-token-of-enough-length";
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private DatagramSocket silent;
    private RouteAgent neighbour;
    private RouteAgent source;
    private RouteApi api;

    @AfterEach
    void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        source.close();
        neighbour.close();
        silent.close();
    }

    private RouteAgent.Settings settings(InetSocketAddress destination, List<InetSocketAddress> neighbours, RouteAgent.Remediation who) {
        return new RouteAgent.Settings(new InetSocketAddress("127.0.0.1", 0), new byte[32], neighbours, destination, 9, null,
                RouteAgent.Algorithm.FLOODING, 4, Duration.ofMillis(200), WarpConfig.defaults(), Duration.ofMillis(50), 2, 2, who);
    }

    private void start(RouteAgent.Remediation who) throws Exception {
        silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        neighbour = RouteAgent.start(settings(null, List.of(), who), e -> { }, Clock.system());
        source = RouteAgent.start(settings((InetSocketAddress) silent.getLocalSocketAddress(), List.of(neighbour.address()), who),
                events::add, Clock.system());
        api = new RouteApi(new InetSocketAddress("127.0.0.1", 0), BearerToken.of(TOKEN), source);
    }

    private int post(String token, String body) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + "/actions"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String call(String call, String target) {
        return "{\"call\":\"" + call + "\",\"op\":\"reroute\",\"target\":\"" + target + "\",\"id\":\"r1\"}";
    }

    private long floods() throws Exception {
        return source.counters().get(5, TimeUnit.SECONDS).getOrDefault("floods", 0L);
    }

    @Test
    void thePolicyEnginesOrderStartsTheSearchAndItsRevokeEndsIt() throws Exception {
        start(RouteAgent.Remediation.POLICY);
        String target = "127.0.0.1:" + silent.getLocalPort();
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        assertThat(PathState.from(events.getFirst()).to()).isEqualTo(PathState.State.DOWN);
        assertThat(floods()).as("detection only, no search of its own").isZero();

        assertThat(post(null, call("deploy", target))).isEqualTo(401);
        assertThat(post("wrong-token-of-enough-length", call("deploy", target))).isEqualTo(401);
        assertThat(post(TOKEN, call("deploy", "127.0.0.1:1"))).isEqualTo(404);
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"scale-out\",\"target\":\"" + target + "\"}")).isEqualTo(422);
        assertThat(post(TOKEN, "{\"call\":\"deploy\",\"op\":\"reroute\",\"target\":\"" + target + "\",\"x\":1}")).isEqualTo(400);
        assertThat(post(TOKEN, "not json")).isEqualTo(400);
        assertThat(floods()).isZero();

        assertThat(post(TOKEN, call("deploy", target))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> floods() >= 2);
        assertThat(post(TOKEN, call("revoke", target))).isEqualTo(200);
        long after = floods();
        assertThat(source.counters().get(5, TimeUnit.SECONDS)).doesNotContainKey("path.relayed");
        // the flood time-out (200 ms) would flood again several times a second if the search went on
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> floods() == after);
    }

    @Test
    void anAutonomousAgentRefusesOrders() throws Exception {
        start(RouteAgent.Remediation.AUTONOMOUS);
        assertThat(post(TOKEN, call("deploy", "127.0.0.1:" + silent.getLocalPort()))).isEqualTo(409);
    }
}
