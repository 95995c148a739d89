package dev.d2r2.overlay.kad;

import dev.d2r2.overlay.sim.SimLookups;
import dev.d2r2.overlay.sim.SimNetwork;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that answers FIND_VALUE with a forged value, or stores one on the holders, does not
 * change what others get: the forgery is counted and dropped.
 */
class ForgedValueTest {
    @Test
    void forgedValuesNeitherOverwriteNorAreReturned() {
        SimNetwork net = new SimNetwork(KadConfig.defaults(), 3, 0);
        SimLookups.grow(net, 60);
        Identity alice = Identity.generate();
        byte[] name = "sip:alice@example.org".getBytes(StandardCharsets.UTF_8);
        SignedValue real = SignedValue.sign(alice, name, 1, "10.0.0.1:5060".getBytes(StandardCharsets.UTF_8));
        KadNode owner = net.random();
        assertThat(SimLookups.put(net, owner, real).stored()).isEqualTo(20);

        SignedValue forged = SignedValue.unverified(alice.publicKey(), name, 2, "10.6.6.6:5060".getBytes(StandardCharsets.UTF_8),
                new byte[Identity.SIGNATURE_BYTES]);
        List<KadNode> holders = new ArrayList<>();
        for (KadNode n : net.live()) {
            if (n.store().get(real.key(), net.clock.millis()) != null) {
                holders.add(n);
            }
        }
        assertThat(holders).hasSize(20);
        NodeId mallory = NodeId.random(net.random);
        InetSocketAddress malloryAddress = InetSocketAddress.createUnresolved("10.66.66.66", 4000);
        long rejectedBefore = holders.stream().mapToLong(n -> n.stats().storesRejected()).sum();
        for (KadNode h : holders) {
            h.onMessage(malloryAddress, new Message.Store(1, mallory, forged, Duration.ofHours(1).toMillis()));
        }
        assertThat(holders.stream().mapToLong(n -> n.stats().storesRejected()).sum() - rejectedBefore).isEqualTo(20);

        KadNode asker = net.live().stream().filter(n -> !holders.contains(n) && n != owner).findFirst().orElseThrow();
        asker.onMessage(malloryAddress, new Message.Found(77, mallory, forged));
        assertThat(asker.stats().unexpected()).as("an answer to no question").isEqualTo(1);

        Results.GetResult got = SimLookups.get(net, asker, real.key());
        assertThat(got.value()).isNotNull();
        assertThat(got.value().sameAs(real)).isTrue();
    }
}
