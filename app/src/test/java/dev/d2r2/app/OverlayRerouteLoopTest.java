package dev.d2r2.app;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.chronicle.ChronicleCompiler;
import dev.d2r2.chronicle.ChronicleRole;
import dev.d2r2.chronicle.Recognizer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.overlay.route.RouteAgent;
import dev.d2r2.overlay.route.RouteApi;
import dev.d2r2.overlay.route.WarpConfig;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.PolicyRole;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.PolicyEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Item 5 of the overlay through real roles on loopback: a route agent under --reroute policy
 * publishes its path's state on the broker; the chronicle role, running
 * examples/chronicles/overlay-path.chr, makes a PathBroken alert of a path that stays down and a
 * PathHealed one when it answers again; the policy role, running
 * examples/policies/overlay-reroute.yaml, turns the first into a reroute through the agent's API
 * (the agent starts searching for a relay) and the second into its revoke (the search stops).
 */
class OverlayRerouteLoopTest {
    @TempDir
    Path dir;

    private static RouteAgent.Settings settings(InetSocketAddress listen, InetSocketAddress destination, List<InetSocketAddress> neighbours) {
        return new RouteAgent.Settings(listen, new byte[32], neighbours, destination, 9, null, RouteAgent.Algorithm.FLOODING, 4,
                Duration.ofMillis(200), WarpConfig.defaults(), Duration.ofMillis(50), 2, 2, RouteAgent.Remediation.POLICY);
    }

    private static long floods(RouteAgent agent) throws Exception {
        return agent.counters().get(5, TimeUnit.SECONDS).getOrDefault("floods", 0L);
    }

    /** The actuator calls of this kind the policy role's audit log records as done. */
    private long outcomes(ActionOutcome.Call call) throws Exception {
        long n = 0;
        for (String line : Files.readAllLines(dir.resolve("audit.jsonl"))) {
            Event e = EventCodec.decode(line);
            if (e.type().equals(PolicyEvents.OUTCOME.name())) {
                ActionOutcome o = ActionOutcome.from(e);
                if (o.call() == call && o.result() == ActionOutcome.Result.OK) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void aBrokenPathIsReroutedByThePolicysOrderAndTheOrderIsRevokedWhenItIsDirectAgain() throws Exception {
        Path token = dir.resolve("route-api.token");
        RouteAgent destination = RouteAgent.start(settings(new InetSocketAddress("127.0.0.1", 0), null, List.of()), e -> { }, Clock.system());
        InetSocketAddress destinationAt = destination.address();
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("overlay", "alerts", "actions")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            try (RouteAgent neighbour = RouteAgent.start(settings(new InetSocketAddress("127.0.0.1", 0), null, List.of()), e -> { },
                         Clock.system());
                 Publisher paths = admin.publisher("overlay");
                 RouteAgent source = RouteAgent.start(settings(new InetSocketAddress("127.0.0.1", 0), destinationAt,
                         List.of(neighbour.address())), paths::publish, Clock.system());
                 RouteApi api = new RouteApi(new InetSocketAddress("127.0.0.1", 0), BearerToken.loadOrCreate(token), source)) {
                String text = Files.readString(Path.of("../examples/policies/overlay-reroute.yaml"))
                        .replace("http://127.0.0.1:8093/actions", "http://127.0.0.1:" + api.address().getPort() + "/actions")
                        .replace("token-file: route-api.token", "token-file: \"" + token + "\"");
                try (ChronicleRole chronicles = new ChronicleRole(admin,
                        ChronicleCompiler.compileFiles(List.of(Path.of("../examples/chronicles/overlay-path.chr"))).chronicles(),
                        Recognizer.Options.LIVE, List.of("overlay"), "alerts", Clock.system(), r -> { });
                     PolicyRole role = new PolicyRole(admin, Policy.parse("overlay-reroute.yaml", text), List.of("alerts"), "actions",
                        dir.resolve("audit.jsonl"), false, Clock.system())) {
                    destination.close();
                    await().atMost(Duration.ofSeconds(15)).until(() -> floods(source) >= 2 && outcomes(ActionOutcome.Call.DEPLOY) == 1);

                    destination = RouteAgent.start(settings(destinationAt, null, List.of()), e -> { }, Clock.system());
                    await().atMost(Duration.ofSeconds(15)).until(() -> outcomes(ActionOutcome.Call.REVOKE) == 1);
                    long after = floods(source);
                    // the flood time-out (200 ms) would flood again several times a second if the search went on
                    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> floods(source) == after);
                }
            }
        } finally {
            destination.close();
        }
    }
}
