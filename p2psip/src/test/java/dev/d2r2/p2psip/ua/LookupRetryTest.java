package dev.d2r2.p2psip.ua;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.tunnel.EntryGuards;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.PathSelector;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.TunnelEnd;
import dev.d2r2.p2psip.ua.PeerNetwork.Peer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lookup whose first tunnel's exit no longer answers times out and is retried over the caller's other tunnel; one that
 * finds an outdated copy tries the other tunnel too.
 */
class LookupRetryTest {
    @Test
    void aSilentExitCostsOneTimeOutAndTheLookupSucceedsOverTheOtherTunnel() throws Exception {
        try (UaNetwork network = new UaNetwork(10)) {
            UserAgent.Settings settings = new UserAgent.Settings(1, 2, Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(1));
            UserAgent bob = network.agent("bob", settings);
            UserAgent alice = callerWithTwoExits(network, settings);
            BlockingQueue<String> atBob = new LinkedBlockingQueue<>();
            bob.onMessage((from, m) -> atBob.add(new String(m, StandardCharsets.UTF_8)));
            Hop silent = alice.lookupTunnels().getFirst().path().getLast();
            Peer exit = network.peers().peers().stream().filter(p -> p.relay().self().equals(silent)).findFirst().orElseThrow();
            exit.storage().close();

            alice.send(bob.identityKey(), "INVITE sip:bob@p2psip SIP/2.0".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);

            assertThat(atBob.poll(10, TimeUnit.SECONDS)).startsWith("INVITE");
            assertThat(alice.contacts().retries()).isEqualTo(1);
            assertThat(alice.contacts().notFound()).isZero();
        }
    }

    /**
     * A copy older than two of the owner's refresh intervals is outdated (a later publication did not replace it where it
     * was found): the other tunnel is tried too, and with nothing newer anywhere the newest outdated copy is still used.
     */
    @Test
    void anOutdatedCopyMakesTheLookupTryTheOtherTunnelAndIsUsedIfNothingNewerIsFound() throws Exception {
        try (UaNetwork network = new UaNetwork(10);
             Relay relay = Relay.start("alice", InetAddress.getLoopbackAddress(), Clock.system(), TunnelEnd.IGNORE)) {
            UserAgent bob = network.agent("bob", UaNetwork.settings());
            BlockingQueue<String> atBob = new LinkedBlockingQueue<>();
            bob.onMessage((from, m) -> atBob.add(new String(m, StandardCharsets.UTF_8)));
            // Alice's clock is 20 s ahead (inside the envelopes' replay window) and her τ 5 s: Bob's only copy is outdated to her (older than 2τ)
            Clock ahead = new Clock() {
                @Override
                public long millis() {
                    return System.currentTimeMillis() + 20_000;
                }

                @Override
                public long nanos() {
                    return System.nanoTime();
                }
            };
            Random random = new Random();
            try (UserAgent alice = UserAgent.start(Identity.generate(), relay,
                    new UserAgent.Settings(2, 2, Duration.ofSeconds(5), Duration.ofMinutes(15), Duration.ofSeconds(3)), ahead,
                    network.peers()::hops, new PathSelector(relay.self(), new EntryGuards(EntryGuards.DEFAULT_COUNT, random), random))) {
                alice.send(bob.identityKey(), "INVITE sip:bob@p2psip SIP/2.0".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);

                assertThat(atBob.poll(10, TimeUnit.SECONDS)).startsWith("INVITE");
                assertThat(alice.contacts().outdated()).isEqualTo(2);
                assertThat(alice.contacts().retries()).isEqualTo(1);
                assertThat(alice.contacts().notFound()).isZero();
            }
        }
    }

    private static UserAgent callerWithTwoExits(UaNetwork network, UserAgent.Settings settings) throws Exception {
        for (int i = 0; i < 10; i++) {
            UserAgent ua = network.agent("alice" + i, settings);
            if (!ua.lookupTunnels().get(0).path().getLast().equals(ua.lookupTunnels().get(1).path().getLast())) {
                return ua;
            }
        }
        throw new AssertionError("ten agents in a row had both lookup tunnels end at one exit");
    }
}
