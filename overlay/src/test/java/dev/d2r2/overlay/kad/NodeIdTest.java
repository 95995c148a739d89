package dev.d2r2.overlay.kad;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The XOR metric on 160-bit ids, checked against BigInteger arithmetic. */
class NodeIdTest {

    @Provide
    Arbitrary<NodeId> ids() {
        return Arbitraries.bytes().array(byte[].class).ofSize(NodeId.BYTES).map(NodeId::of);
    }

    private static BigInteger distance(NodeId a, NodeId b) {
        return new BigInteger(1, a.xor(b).toBytes());
    }

    @Property
    void distanceIsAMetric(@ForAll("ids") NodeId a, @ForAll("ids") NodeId b, @ForAll("ids") NodeId c) {
        assertThat(distance(a, a)).isZero();
        assertThat(distance(a, b)).isEqualTo(distance(b, a));
        assertThat(distance(a, c)).isLessThanOrEqualTo(distance(a, b).add(distance(b, c)));
        if (!a.equals(b)) {
            assertThat(distance(a, b).signum()).isPositive();
        }
    }

    @Property
    void compareDistanceOrdersByXor(@ForAll("ids") NodeId target, @ForAll("ids") NodeId a, @ForAll("ids") NodeId b) {
        assertThat(Integer.signum(target.compareDistance(a, b))).isEqualTo(distance(target, a).compareTo(distance(target, b)));
    }

    @Property
    void bucketIsTheHighestDifferingBit(@ForAll("ids") NodeId a, @ForAll("ids") NodeId b) {
        assertThat(a.bucketOf(b)).isEqualTo(distance(a, b).bitLength() - 1);
        assertThat(a.bucketOf(a)).isEqualTo(-1);
    }

    @Property
    void randomInBucketFallsInThatBucket(@ForAll("ids") NodeId self, @ForAll @IntRange(min = 0, max = 159) int bucket, @ForAll long seed) {
        assertThat(self.bucketOf(self.randomInBucket(bucket, new SplittableRandom(seed)))).isEqualTo(bucket);
    }

    @Property
    void bytesAndHexRoundTrip(@ForAll("ids") NodeId id) {
        assertThat(NodeId.of(id.toBytes())).isEqualTo(id);
        assertThat(NodeId.parse(id.toString())).isEqualTo(id);
        assertThat(NodeId.of(id.toBytes()).hashCode()).isEqualTo(id.hashCode());
    }
}
