package dev.d2r2.p2psip.ua;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.Tunnel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Right after churn an exit's storage-overlay lookup waits for peers that left, longer than the agent's time-out, while
 * the tunnel to it is sound: the agent checks the tunnel with a ping and keeps it. Giving it up (as it did) lost the
 * messages on their way through it, and a SIP answer that is not retransmitted, such as a 180, with them.
 */
class SlowExitTest {
    @Test
    void aLookupThatTimesOutAtASlowExitKeepsItsSoundTunnel() throws Exception {
        try (UaNetwork network = new UaNetwork(12)) {
            UserAgent alice = network.agent("alice", UaNetwork.settings());
            List<Tunnel> lookups = alice.lookupTunnels();
            List<Hop> exits = lookups.stream().map(t -> t.path().getLast()).toList();
            // the storage nodes of every other peer leave, their relays stay: the exits' lookups wait for them, two RPC
            // time-outs each, α at a time — longer than the agent's time-out
            for (PeerNetwork.Peer peer : network.peers().peers()) {
                if (!exits.contains(peer.relay().self())) {
                    peer.storage().close();
                }
            }

            assertThatThrownBy(() -> alice.routeTo(Identity.generate().publicKey()).get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoSuchElementException.class);
            assertThat(alice.suspected()).as("a lookup timed out through a standing tunnel").isPositive();
            await().atMost(60, TimeUnit.SECONDS).until(() -> alice.cleared() == alice.suspected());

            assertThat(alice.lookupTunnels()).isEqualTo(lookups);
            assertThat(lookups).noneMatch(t -> t.closed().isDone());
            assertThat(alice.keepalivesMissed()).isZero();
            assertThat(alice.rebuilt()).isZero();
        }
    }
}
