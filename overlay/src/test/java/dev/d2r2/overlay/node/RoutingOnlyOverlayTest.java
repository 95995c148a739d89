package dev.d2r2.overlay.node;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.kad.KadNode;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.kad.Results.PutResult;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.wire.PacketAuth;
import dev.d2r2.overlay.wire.PacketCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Twelve nodes with {@code carriesValues = false} on loopback UDP: they route, and refuse and count STORE and FIND_VALUE. */
class RoutingOnlyOverlayTest {
    private static final int NODES = 12;
    private final byte[] key = new byte[PacketAuth.KEY_BYTES];
    private final List<OverlayNode> nodes = new ArrayList<>();

    @AfterEach
    void close() throws InterruptedException {
        for (OverlayNode n : nodes) {
            n.close();
        }
    }

    private OverlayNode start(KadConfig config, List<InetSocketAddress> seeds) throws Exception {
        OverlayNode n = OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), seeds,
                key, config, Duration.ofSeconds(30)), Clock.system());
        nodes.add(n);
        return n;
    }

    @Test
    void routesButRefusesAndCountsStoreAndFindValue() throws Exception {
        new SecureRandom().nextBytes(key);
        KadConfig routing = KadConfig.defaults().withoutValues();
        OverlayNode first = start(routing, List.of());
        for (int i = 1; i < NODES; i++) {
            start(routing, List.of(first.address()));
        }
        OverlayNode storing = start(KadConfig.defaults(), List.of(first.address()));
        await().atMost(20, TimeUnit.SECONDS).until(() -> nodes.stream().allMatch(n -> n.status().join().contacts() >= NODES / 2));

        NodeId target = NodeId.random(new SecureRandom());
        LookupResult found = nodes.get(3).lookup(target).get(20, TimeUnit.SECONDS);
        List<NodeId> truth = nodes.stream().map(OverlayNode::id).filter(id -> !id.equals(nodes.get(3).id()))
                .sorted(target::compareDistance).toList();
        assertThat(found.closest().stream().map(Contact::id).toList()).isEqualTo(truth);

        SignedValue v = SignedValue.sign(Identity.generate(), "pool".getBytes(StandardCharsets.UTF_8), 1, new byte[]{1});
        PutResult put = storing.put(v).get(20, TimeUnit.SECONDS);
        assertThat(put.asked()).isEqualTo(NODES);
        assertThat(put.stored()).isZero();
        GetResult got = storing.get(v.key()).get(20, TimeUnit.SECONDS);
        assertThat(got.value()).isNull();

        long refused = 0;
        for (OverlayNode n : nodes.subList(0, NODES)) {
            OverlayStatus s = n.status().get(5, TimeUnit.SECONDS);
            assertThat(s.values()).isZero();
            refused += s.valueRequestsRefused();
        }
        assertThat(refused).as("every STORE and FIND_VALUE attempt refused and counted").isGreaterThanOrEqualTo(2L * NODES);
        assertThat(storing.status().get().valueRequestsRefused()).isZero();
        assertThat(nodes.get(1).put(v)).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("carries no values");
        assertThat(nodes.get(1).get(v.key())).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("carries no values");
    }

    @Test
    void aRoutingOnlyNodeHasNoPutOrGet() {
        KadConfig routing = KadConfig.defaults().withoutValues();
        assertThat(routing.carriesValues()).isFalse();
        assertThat(KadConfig.defaults().carriesValues()).isTrue();
        KadNode node = new KadNode(routing, NodeId.random(new SecureRandom()), Clock.system(),
                new SecureRandom(), (to, m) -> { });
        SignedValue v = SignedValue.sign(Identity.generate(), "x".getBytes(StandardCharsets.UTF_8), 1, new byte[0]);
        assertThatThrownBy(() -> node.put(v, r -> { })).isInstanceOf(IllegalStateException.class).hasMessageContaining("carries no values");
        assertThatThrownBy(() -> node.get(v.key(), r -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aProbeGetsTheCardANodeAnnouncesAndFailsOnSilence() throws Exception {
        new SecureRandom().nextBytes(key);
        KadConfig routing = KadConfig.defaults().withoutValues();
        OverlayNode announcing = start(routing, List.of());
        OverlayNode plain = start(routing, List.of(announcing.address()));
        OverlayNode asking = start(routing, List.of(announcing.address()));
        byte[] card = "relay 10.0.0.1:5000".getBytes(StandardCharsets.US_ASCII);
        announcing.announce(card);

        assertThat(asking.probe(new Contact(announcing.id(), announcing.address())).get(20, TimeUnit.SECONDS)).isEqualTo(card);
        assertThat(asking.probe(new Contact(plain.id(), plain.address())).get(20, TimeUnit.SECONDS)).isEmpty();
        assertThat(asking.probe(new Contact(NodeId.random(new SecureRandom()), announcing.address())))
                .as("an answer under another id is no answer").failsWithin(20, TimeUnit.SECONDS);
        assertThatThrownBy(() -> announcing.announce(new byte[PacketCodec.MAX_CARD + 1])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSeedThatChecksCardsAdmitsEveryNodeStartedWithOne() throws Exception {
        new SecureRandom().nextBytes(key);
        KadConfig routing = KadConfig.defaults().withoutValues();
        byte[] card = "relay 10.0.0.1:5000".getBytes(StandardCharsets.US_ASCII);
        AtomicInteger refused = new AtomicInteger();
        KadNode.Admission cardsOnly = (contact, announced) -> {
            if (announced.length == 0) {
                refused.incrementAndGet();
                return false;
            }
            return true;
        };
        OverlayNode seed = OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(),
                key, routing, Duration.ofSeconds(30)), NodeId.random(new SecureRandom()), cardsOnly, card, Clock.system());
        nodes.add(seed);
        for (int i = 1; i < NODES; i++) {
            nodes.add(OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    List.of(seed.address()), key, routing, Duration.ofSeconds(30)), NodeId.random(new SecureRandom()), cardsOnly, card,
                    Clock.system()));
        }

        // the seed judges each joiner once, from the PONG to the PING its JOIN drew: that PONG must carry the card already
        await().atMost(20, TimeUnit.SECONDS).until(() -> seed.status().join().contacts() == NODES - 1);
        assertThat(refused).hasValue(0);
        assertThatThrownBy(() -> OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                List.of(), key, routing, Duration.ofSeconds(30)), NodeId.random(new SecureRandom()), cardsOnly,
                new byte[PacketCodec.MAX_CARD + 1], Clock.system())).isInstanceOf(IllegalArgumentException.class);
    }
}
