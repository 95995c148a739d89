package dev.d2r2.p2psip.ua;

import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.Tunnel;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hop of a tunnel in use leaves (its peer's relay and storage node close): the tunnel's owner
 * rebuilds it through other peers and, for an inbound tunnel, publishes its new entry point at once,
 * and the next message goes through. And a SIP face does not send a retransmission down the tunnels
 * again while the route its original took still stands.
 */
class HopLeftTest {
    private static UserAgent.Settings settings() {
        // a store through an exit waits for replicas that left (two 1 s attempts each) until they drop out of routing tables: 5 s covers it
        return new UserAgent.Settings(2, 2, Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(5));
    }

    @Test
    void afterAHopOfTheCalleesEntryTunnelAndOneOfTheCallersTunnelLeftTheNextMessageGetsThrough() throws Exception {
        try (UaNetwork network = new UaNetwork(14)) {
            UserAgent alice = network.agent("alice", settings());
            UserAgent bob = network.agent("bob", settings());
            BlockingQueue<String> atBob = new LinkedBlockingQueue<>();
            bob.onMessage((from, m) -> atBob.add(new String(m, StandardCharsets.UTF_8)));
            Route before = alice.send(bob.identityKey(), "INVITE 1".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            assertThat(atBob.poll(10, TimeUnit.SECONDS)).isEqualTo("INVITE 1");

            Tunnel entered = bob.inboundTunnels().stream().filter(t -> t.path().getLast().equals(before.entry().hop())).findFirst()
                    .orElseThrow();
            Hop middle = entered.path().get(1);
            // two peers leave, not one: the caller's hop is the first of its tunnel that is not the callee's middle hop
            Hop callerHop = before.outbound().path().stream().filter(h -> !h.equals(middle)).findFirst().orElseThrow();
            long published = bob.contacts().published();
            leave(network, middle);
            leave(network, callerHop);

            await().atMost(30, TimeUnit.SECONDS).until(() -> bob.inboundTunnels().stream().noneMatch(t -> t.path().contains(middle)));
            await().atMost(30, TimeUnit.SECONDS).until(() -> alice.lookupTunnels().stream().noneMatch(t -> t.path().contains(callerHop)));
            assertThat(bob.rebuilt()).isPositive();
            assertThat(alice.rebuilt()).isPositive();
            await().atMost(30, TimeUnit.SECONDS).until(() -> bob.contacts().published() > published);
            List<Hop> entries = bob.inboundTunnels().stream().map(t -> t.path().getLast()).toList();
            // Alice looks Bob up again once her copy is older than τ, and then reaches one of his current entry points
            await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> entries.contains(alice.routeTo(bob.identityKey()).get(10, TimeUnit.SECONDS).entry().hop()));

            Route after = alice.send(bob.identityKey(), "INVITE 2".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            assertThat(atBob.poll(10, TimeUnit.SECONDS)).isEqualTo("INVITE 2");
            assertThat(after.outbound().path()).doesNotContain(callerHop);
            assertThat(after).isNotEqualTo(before);
        }
    }

    @Test
    void aRetransmissionIsAbsorbedWhileItsRouteStands() throws Exception {
        try (UaNetwork network = new UaNetwork(12);
             DatagramSocket callerAgent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket calleeAgent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            UserAgent alice = network.agent("alice", UaNetwork.settings());
            UserAgent bob = network.agent("bob", UaNetwork.settings());
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            try (SipFace aliceFace = new SipFace(alice, any, null, Map.of("bob", bob.identityKey()));
                 SipFace bobFace = new SipFace(bob, any, (InetSocketAddress) calleeAgent.getLocalSocketAddress(), Map.of())) {
                byte[] invite = """
                        INVITE sip:bob@127.0.0.1 SIP/2.0\r
                        Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-1\r
                        From: <sip:alice@127.0.0.1>;tag=1\r
                        To: <sip:bob@127.0.0.1>\r
                        Call-ID: retransmitted@127.0.0.1\r
                        CSeq: 1 INVITE\r
                        Max-Forwards: 70\r
                        Content-Length: 0\r
                        \r
                        """.getBytes(StandardCharsets.US_ASCII);
                callerAgent.send(new DatagramPacket(invite, invite.length, aliceFace.address()));
                calleeAgent.setSoTimeout(10_000);
                DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
                calleeAgent.receive(got);
                assertThat(got.getLength()).isEqualTo(invite.length);

                for (int i = 0; i < 3; i++) {
                    callerAgent.send(new DatagramPacket(invite, invite.length, aliceFace.address()));
                }
                await().atMost(10, TimeUnit.SECONDS).until(() -> aliceFace.absorbed() == 3);
                assertThat(aliceFace.fromLocal()).isEqualTo(1);
                assertThat(alice.sent()).isEqualTo(1);
                assertThat(bobFace.fromRemote()).isEqualTo(1);
            }
        }
    }

    private static void leave(UaNetwork network, Hop hop) throws Exception {
        PeerNetwork.Peer peer = network.peers().peers().stream().filter(p -> p.relay().self().equals(hop)).findFirst().orElseThrow();
        peer.relay().close();
        peer.storage().close();
    }
}
