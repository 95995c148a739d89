package dev.d2r2.overlay.route;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.node.OverlayNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Overlay neighbours from the DHT on loopback: four route agents, each beside a DHT node of its
 * own (the agent on the node's port + 1), none with a configured neighbour. The source, watching
 * a destination that has stopped, takes the agents of its node's closest nodes as neighbours —
 * not itself, not the destination — and its floods reach them.
 */
class DhtNeighboursTest {
    private static final int OFFSET = 1;
    private final byte[] key = new byte[32];
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
    }

    private OverlayNode node(List<InetSocketAddress> seeds) throws Exception {
        OverlayNode n = OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress("127.0.0.1", 0), seeds, key, KadConfig.defaults(),
                Duration.ofSeconds(30)), Clock.system());
        running.add(n);
        return n;
    }

    private RouteAgent agent(OverlayNode dht, InetSocketAddress destination, RouteAgent.DhtNeighbours fromDht) throws Exception {
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", dht.address().getPort() + OFFSET);
        RouteAgent a = RouteAgent.start(new RouteAgent.Settings(listen, key, List.of(), destination, 9, null, RouteAgent.Algorithm.FLOODING, 4,
                Duration.ofMillis(200), WarpConfig.defaults(), Duration.ofMillis(50), 2, 2, RouteAgent.Remediation.AUTONOMOUS), dht, fromDht,
                e -> { }, Clock.system());
        running.add(a);
        return a;
    }

    private static long counter(RouteAgent agent, String name) throws Exception {
        return agent.counters().get(5, TimeUnit.SECONDS).getOrDefault(name, 0L);
    }

    @Test
    void anAgentFloodsThroughTheAgentsOfItsDhtNodesClosestNodes() throws Exception {
        new SecureRandom().nextBytes(key);
        OverlayNode first = node(List.of());
        List<InetSocketAddress> seed = List.of(first.address());
        RouteAgent destination = agent(first, null, null);
        RouteAgent helperA = agent(node(seed), null, null);
        RouteAgent helperB = agent(node(seed), null, null);
        RouteAgent source = agent(node(seed), destination.address(), new RouteAgent.DhtNeighbours(8, OFFSET, Duration.ofMillis(500)));

        await().atMost(Duration.ofSeconds(20)).until(() -> counter(source, "neighbours") == 2);
        running.remove(destination);
        destination.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> counter(source, "floods") >= 1 && counter(helperA, "flood.probes") >= 1
                && counter(helperB, "flood.probes") >= 1);
        assertThat(counter(source, "neighbours")).as("the destination and the source itself are not neighbours").isEqualTo(2);
    }
}
