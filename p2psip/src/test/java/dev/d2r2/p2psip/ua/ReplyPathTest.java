package dev.d2r2.p2psip.ua;

import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.Tunnel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A caller that rebuilt its inbound tunnels while its new contact data could not be stored (no storage peer answers)
 * still gets its answers, the 180 and the 200: the callee answers to the entry points the INVITE's envelope named, not
 * to contact data it looks up (the code that looked the caller up again lost both).
 */
class ReplyPathTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int MAX_REBUILDS = 10;

    @Test
    void answersGoToTheEntryPointsTheRequestNamedWhileTheStoredContactDataIsStale() throws Exception {
        try (UaNetwork network = new UaNetwork(12)) {
            UserAgent.Settings settings = new UserAgent.Settings(2, 2, Duration.ofMinutes(5), Duration.ofMinutes(15),
                    Duration.ofSeconds(5));
            UserAgent alice = network.agent("alice", settings);
            UserAgent bob = network.agent("bob", settings);
            bob.onMessage((from, m) -> {
                String text = new String(m, StandardCharsets.UTF_8);
                if (text.startsWith("INVITE ")) {
                    bob.send(from, ("180 " + text.substring(7)).getBytes(StandardCharsets.UTF_8));
                    bob.send(from, ("200 " + text.substring(7)).getBytes(StandardCharsets.UTF_8));
                }
            });
            Set<String> atAlice = ConcurrentHashMap.newKeySet();
            alice.onMessage((from, m) -> atAlice.add(new String(m, StandardCharsets.UTF_8)));
            call(alice, bob, "1");
            await().atMost(60, TimeUnit.SECONDS).until(() -> atAlice.containsAll(List.of("180 1", "200 1")));

            // nothing can be stored or found any more; Alice's inbound tunnels are rebuilt, her stored copy goes stale
            long published = alice.contacts().published();
            for (PeerNetwork.Peer peer : network.peers().peers()) {
                peer.storage().close();
            }
            List<Hop> oldEntries = entryPoints(alice);
            rebuildUntilApart(alice, oldEntries);
            assertThat(alice.contacts().published()).as("no new contact data of Alice's was stored").isEqualTo(published);

            call(alice, bob, "2");
            await().atMost(60, TimeUnit.SECONDS).until(() -> atAlice.containsAll(List.of("180 2", "200 2")));
            assertThat(bob.routeTo(alice.identityKey()).get(10, TimeUnit.SECONDS).entry().hop())
                    .isIn(entryPoints(alice)).isNotIn(oldEntries);
        }
    }

    /**
     * Rebuilds Alice's inbound tunnels until none enters where one of {@code oldEntries} did: a rebuilt tunnel avoids
     * its own old hops, not the other tunnel's, so it may take the other's old entry point, and then an answer sent
     * to the stale contact data would arrive as well as one sent the way the request said.
     */
    private static void rebuildUntilApart(UserAgent alice, List<Hop> oldEntries) {
        List<Tunnel> stale = alice.inboundTunnels();
        for (int round = 0; round < MAX_REBUILDS; round++) {
            if (round > 0) {
                stale = alice.inboundTunnels().stream().filter(t -> oldEntries.contains(t.path().getLast())).toList();
            }
            if (stale.isEmpty()) {
                return;
            }
            long rebuilt = alice.rebuilt();
            int destroyed = stale.size();
            stale.forEach(Tunnel::destroy);
            await().atMost(60, TimeUnit.SECONDS).until(() -> alice.rebuilt() >= rebuilt + destroyed
                    && alice.inboundTunnels().stream().noneMatch(t -> t.closed().isDone()));
        }
        assertThat(entryPoints(alice)).as("Alice's entry points after " + MAX_REBUILDS + " rebuilds").doesNotContainAnyElementsOf(oldEntries);
    }

    private static void call(UserAgent caller, UserAgent callee, String id) throws Exception {
        byte[] ok = ("200 " + id).getBytes(StandardCharsets.UTF_8);
        caller.call(callee.identityKey(), ("INVITE " + id).getBytes(StandardCharsets.UTF_8), m -> Arrays.equals(m, ok), DEADLINE)
                .get(DEADLINE.toSeconds() + 10, TimeUnit.SECONDS);
    }

    private static List<Hop> entryPoints(UserAgent ua) {
        return ua.inboundTunnels().stream().map(t -> t.path().getLast()).toList();
    }
}
