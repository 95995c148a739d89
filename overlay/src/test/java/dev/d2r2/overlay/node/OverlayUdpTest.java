package dev.d2r2.overlay.node;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.kad.Message;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.kad.Results.PutResult;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.wire.MalformedPacket;
import dev.d2r2.overlay.wire.PacketAuth;
import dev.d2r2.overlay.wire.PacketCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Thirty nodes on real UDP sockets on loopback, in one JVM. */
class OverlayUdpTest {
    private static final int NODES = 30;
    private final byte[] key = new byte[PacketAuth.KEY_BYTES];
    private final List<OverlayNode> nodes = new ArrayList<>();

    @AfterEach
    void close() throws InterruptedException {
        for (OverlayNode n : nodes) {
            n.close();
        }
    }

    private OverlayNode start(List<InetSocketAddress> seeds, byte[] networkKey) throws Exception {
        OverlayNode n = OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), seeds,
                networkKey, KadConfig.defaults(), Duration.ofSeconds(30)), Clock.system());
        nodes.add(n);
        return n;
    }

    private void grow() throws Exception {
        new SecureRandom().nextBytes(key);
        OverlayNode first = start(List.of(), key);
        for (int i = 1; i < NODES; i++) {
            start(List.of(first.address(), nodes.get(i / 2).address()), key);
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> nodes.stream().allMatch(n -> n.status().join().contacts() >= 10));
    }

    @Test
    void lookupsFindTheClosestNodesAndValuesAreFoundFromAnyNode() throws Exception {
        grow();
        NodeId target = NodeId.random(new SecureRandom());
        OverlayNode from = nodes.get(7);
        LookupResult r = from.lookup(target).get(20, TimeUnit.SECONDS);
        List<NodeId> truth = nodes.stream().map(OverlayNode::id).filter(id -> !id.equals(from.id())).sorted(target::compareDistance)
                .limit(20).toList();
        assertThat(r.closest().stream().map(Contact::id).toList()).isEqualTo(truth);

        Identity alice = Identity.generate();
        SignedValue v = SignedValue.sign(alice, "sip:alice@example.org".getBytes(StandardCharsets.UTF_8), 1,
                "127.0.0.1:5062".getBytes(StandardCharsets.UTF_8));
        PutResult put = nodes.get(3).put(v).get(20, TimeUnit.SECONDS);
        assertThat(put.stored()).isEqualTo(20);
        GetResult got = nodes.get(NODES - 1).get(v.key()).get(20, TimeUnit.SECONDS);
        assertThat(got.value()).isNotNull();
        assertThat(got.value().sameAs(v)).isTrue();
    }

    @Test
    void junkForeignAndReplayedPacketsAreCountedAndDroppedAndTheNodeGoesOn() throws Exception {
        grow();
        OverlayNode victim = nodes.get(5);
        byte[] otherKey = new byte[PacketAuth.KEY_BYTES];
        ByteBuffer foreign = ByteBuffer.allocate(PacketCodec.MAX_PACKET);
        new PacketCodec(new PacketAuth(otherKey, 30_000)).encode(new Message.Ping(1, NodeId.random(new SecureRandom())),
                System.currentTimeMillis(), foreign);
        ByteBuffer genuine = ByteBuffer.allocate(PacketCodec.MAX_PACKET);
        new PacketCodec(new PacketAuth(key, 30_000)).encode(new Message.Ping(2, NodeId.random(new SecureRandom())),
                System.currentTimeMillis(), genuine);
        byte[] genuineBytes = bytes(genuine);
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            send(s, victim, "not a packet ".repeat(8).getBytes(StandardCharsets.US_ASCII));
            send(s, victim, new byte[3]);
            send(s, victim, new byte[PacketCodec.MAX_PACKET + 1]);
            send(s, victim, bytes(foreign));
            send(s, victim, genuineBytes);
            send(s, victim, genuineBytes);
            s.setSoTimeout(10_000);
            DatagramPacket pong = new DatagramPacket(new byte[PacketCodec.MAX_PACKET], PacketCodec.MAX_PACKET);
            s.receive(pong);
            Message answer = new PacketCodec(new PacketAuth(key, 30_000))
                    .decode(ByteBuffer.wrap(pong.getData(), 0, pong.getLength()), System.currentTimeMillis());
            assertThat(answer).isInstanceOf(Message.Pong.class);
            assertThat(answer.tx()).isEqualTo(2);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> victim.status().join().droppedTotal() >= 5);
        OverlayStatus st = victim.status().join();
        assertThat(st.dropped()).containsEntry(MalformedPacket.Reason.BAD_HEADER, 1L).containsEntry(MalformedPacket.Reason.TRUNCATED, 1L)
                .containsEntry(MalformedPacket.Reason.OVERSIZED, 1L)
                .containsEntry(MalformedPacket.Reason.UNAUTHENTICATED, 1L)
                .containsEntry(MalformedPacket.Reason.REPLAYED, 1L);
        Set<NodeId> all = nodes.stream().map(OverlayNode::id).collect(Collectors.toSet());
        assertThat(victim.lookup(victim.id()).get(20, TimeUnit.SECONDS).closest()).allSatisfy(c -> assertThat(all).contains(c.id()));
    }

    @Test
    void aNodeWithAnotherNetworkKeyCannotJoin() throws Exception {
        grow();
        byte[] otherKey = new byte[PacketAuth.KEY_BYTES];
        new SecureRandom().nextBytes(otherKey);
        OverlayNode stranger = start(List.of(nodes.getFirst().address()), otherKey);
        await().atMost(10, TimeUnit.SECONDS).until(() -> nodes.getFirst().status().join().dropped()
                .getOrDefault(MalformedPacket.Reason.UNAUTHENTICATED, 0L) >= 1);
        await().atMost(10, TimeUnit.SECONDS).until(() -> stranger.status().join().timeouts() >= 1);
        assertThat(stranger.status().join().contacts()).isZero();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static void send(DatagramSocket s, OverlayNode to, byte[] bytes) throws Exception {
        s.send(new DatagramPacket(bytes, bytes.length, to.address()));
    }
}
