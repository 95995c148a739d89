package dev.d2r2.p2psip.ua;

import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.Tunnel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Call setup under churn: the entry points the callee had published, the entry points the caller had published
 * and the first hop of the caller's tunnel leave at once (relay and storage node closed). The caller's cached copy
 * of the callee's contact data (younger than τ, so still used) and the callee's copy of the caller's now name
 * entry points that are gone; the call still sets up, by a retry after a fresh lookup in the storage overlay, and
 * the callee answers to the caller's new entry points, which the caller's envelope named.
 */
class ChurnCallTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private static UserAgent.Settings settings() {
        // τ of 5 min keeps the stale copies in use; a store or find through an exit waits for replicas that left: 5 s covers it
        return new UserAgent.Settings(2, 2, Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(5));
    }

    @Test
    void aCallSetsUpAfterTheEntryPointsOfBothAndAHopOfTheCallersTunnelLeft() throws Exception {
        try (UaNetwork network = new UaNetwork(18)) {
            UserAgent alice = network.agent("alice", settings());
            UserAgent bob = network.agent("bob", settings());
            bob.onMessage((from, m) -> {
                String text = new String(m, StandardCharsets.UTF_8);
                if (text.startsWith("INVITE ")) {
                    bob.send(from, ("200 " + text.substring(7)).getBytes(StandardCharsets.UTF_8));
                }
            });
            assertThat(call(alice, bob, "1")).isEqualTo("200 1");
            Route before = alice.routeTo(bob.identityKey()).get(10, TimeUnit.SECONDS);

            Set<Hop> leaving = new HashSet<>(entryPoints(bob));
            leaving.addAll(entryPoints(alice));
            leaving.add(before.outbound().path().getFirst());
            long bobPublished = bob.contacts().published();
            long alicePublished = alice.contacts().published();
            long retries = alice.setupRetries();
            for (Hop hop : leaving) {
                leave(network, hop);
            }
            // both rebuild what went through the departed hops and publish their new entry points
            await().atMost(60, TimeUnit.SECONDS).until(() -> bob.contacts().published() > bobPublished
                    && alice.contacts().published() > alicePublished && noneThrough(bob, leaving) && noneThrough(alice, leaving));

            assertThat(call(alice, bob, "2")).isEqualTo("200 2");
            // the first attempt went to an entry point that left (the cached copy): at least one retry, within the bound
            assertThat(alice.setupRetries() - retries).isBetween(1L, (long) UserAgent.SETUP_ATTEMPTS - 1);
            assertThat(alice.setupFailures()).isZero();
            assertThat(bob.routeTo(alice.identityKey()).get(10, TimeUnit.SECONDS).entry().hop())
                    .as("Bob answers to the entry points Alice's envelope named").isIn(entryPoints(alice));
            assertThat(alice.rebuilt()).isPositive();
            assertThat(bob.rebuilt()).isGreaterThanOrEqualTo(2);
            Route after = alice.routeTo(bob.identityKey()).get(10, TimeUnit.SECONDS);
            assertThat(entryPoints(bob)).contains(after.entry().hop());
            assertThat(after.outbound().path()).doesNotContainAnyElementsOf(leaving);

            // the next call takes the fresh copy: no retry
            long retriesNow = alice.setupRetries();
            assertThat(call(alice, bob, "3")).isEqualTo("200 3");
            assertThat(alice.setupRetries()).isEqualTo(retriesNow);
        }
    }

    private static String call(UserAgent caller, UserAgent callee, String id) throws Exception {
        byte[] ok = ("200 " + id).getBytes(StandardCharsets.UTF_8);
        byte[] answer = caller.call(callee.identityKey(), ("INVITE " + id).getBytes(StandardCharsets.UTF_8), m -> Arrays.equals(m, ok),
                DEADLINE).get(DEADLINE.toSeconds() + 10, TimeUnit.SECONDS);
        return new String(answer, StandardCharsets.UTF_8);
    }

    private static List<Hop> entryPoints(UserAgent ua) {
        return ua.inboundTunnels().stream().map(t -> t.path().getLast()).toList();
    }

    private static boolean noneThrough(UserAgent ua, Set<Hop> gone) {
        List<Tunnel> tunnels = new java.util.ArrayList<>(ua.inboundTunnels());
        tunnels.addAll(ua.lookupTunnels());
        tunnels.add(ua.publishingTunnel());
        return tunnels.stream().noneMatch(t -> t.closed().isDone() || t.path().stream().anyMatch(gone::contains));
    }

    private static void leave(UaNetwork network, Hop hop) throws Exception {
        PeerNetwork.Peer peer = network.peers().peers().stream().filter(p -> p.relay().self().equals(hop)).findFirst().orElseThrow();
        peer.relay().close();
        peer.storage().close();
    }
}
