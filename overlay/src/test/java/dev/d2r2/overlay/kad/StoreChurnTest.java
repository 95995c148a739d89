package dev.d2r2.overlay.kad;

import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.kad.Results.PutResult;
import dev.d2r2.overlay.sim.SimLookups;
import dev.d2r2.overlay.sim.SimNetwork;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values survive churn through holders' hourly replication: every hour a fifth of the overlay
 * (oldest first) leaves and as many new nodes join, for six hours, until no node that took the
 * first copies is left. The owners stop republishing all values but one right after the put, so
 * the others are found only if holders hand them on. At their time to live (8 h after the put)
 * those are gone everywhere, while the one its owner republishes every 3 h is still found.
 */
class StoreChurnTest {
    private static final int VALUES = 20;
    private static final int OWNERS = 4;

    @Property(tries = 1, seed = "11")
    void valuesOutliveEveryFirstHolderAndExpireWithoutTheirOwner(@ForAll @IntRange(min = 100, max = 150) int n, @ForAll long seed) {
        KadConfig config = new KadConfig(20, 3, Duration.ofSeconds(1), 2, Duration.ofSeconds(10), 20, 2, Duration.ofHours(1),
                Duration.ofHours(3), Duration.ofHours(8), Duration.ofHours(1), Duration.ofMinutes(1), 10_000);
        SimNetwork net = new SimNetwork(config, seed, 0.01);
        SimLookups.grow(net, n);
        List<KadNode> owners = net.live().subList(0, OWNERS);
        List<Identity> identities = new ArrayList<>();
        List<SignedValue> values = new ArrayList<>();
        for (int i = 0; i < VALUES; i++) {
            Identity id = Identity.generate();
            identities.add(id);
            SignedValue v = SignedValue.sign(id, ("sip:user" + i).getBytes(StandardCharsets.UTF_8), 1,
                    ("contact " + i).getBytes(StandardCharsets.UTF_8));
            values.add(v);
            PutResult r = SimLookups.put(net, owners.get(i % OWNERS), v);
            assertThat(r.stored()).as("replicas of value %d", i).isGreaterThanOrEqualTo(config.k() * 9 / 10);
            if (i > 0) {
                owners.get(i % OWNERS).unpublish(v.key());
            }
        }
        long lastPut = net.clock.millis();
        for (int round = 0; round < 6; round++) {
            List<KadNode> others = new ArrayList<>(net.live());
            others.removeAll(owners);
            for (int i = 0; i < n / 5 && !others.isEmpty(); i++) {
                net.leave(others.removeFirst());
            }
            for (int i = 0; i < n / 5; i++) {
                net.join();
            }
            net.runFor(Duration.ofHours(1));
        }
        int found = 0;
        for (SignedValue v : values) {
            KadNode from = net.random();
            GetResult r = SimLookups.get(net, from, v.key());
            if (r.value() != null && r.value().sameAs(v)) {
                found++;
            }
        }
        assertThat(found).as("values found after six rounds of 20 %% churn").isEqualTo(VALUES);

        // each hand-over may add a datagram's latency (or a retry's second) to the time to live
        net.runFor(Duration.ofMillis(lastPut + config.valueTtl().toMillis() - net.clock.millis()).plus(Duration.ofMinutes(1)));
        for (SignedValue orphan : values.subList(1, VALUES)) {
            assertThat(net.live()).allSatisfy(node -> assertThat(node.store().get(orphan.key(), net.clock.millis())).isNull());
        }
        assertThat(SimLookups.get(net, net.random(), values.get(1).key()).value()).isNull();
        GetResult kept = SimLookups.get(net, net.random(), values.getFirst().key());
        assertThat(kept.value()).isNotNull();
        assertThat(kept.value().sameAs(values.getFirst())).isTrue();
    }
}
