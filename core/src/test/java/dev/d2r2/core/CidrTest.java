package dev.d2r2.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Strict parsing, canonical text, containment and overlap of address blocks. */
class CidrTest {
    private static InetAddress v4(int bits) throws Exception {
        return InetAddress.getByAddress(new byte[]{(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
    }

    private static Cidr block(int bits, int prefix) throws Exception {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return Cidr.parse(v4(bits & mask).getHostAddress() + "/" + prefix);
    }

    @Property
    void containmentIsEqualityOfThePrefixBits(@ForAll int network, @ForAll @IntRange(max = 32) int prefix, @ForAll int address)
            throws Exception {
        Cidr c = block(network, prefix);
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        assertThat(c.contains(v4(address))).isEqualTo((address & mask) == (network & mask));
        assertThat(SubjectPattern.parse(v4(network).getHostAddress() + "/" + prefix).matches(v4(address).getHostAddress()))
                .as("a policy's pattern ignores the bits past the prefix").isEqualTo(c.contains(v4(address)));
        assertThat(Cidr.parse(c.toString())).isEqualTo(c);
    }

    @Property
    void twoBlocksOverlapExactlyWhenOneHoldsTheOthersFirstAddress(@ForAll int n1, @ForAll @IntRange(max = 32) int p1,
                                                                   @ForAll int n2, @ForAll @IntRange(max = 32) int p2) throws Exception {
        Cidr a = block(n1, p1);
        Cidr b = block(n2, p2);
        assertThat(a.overlaps(b)).isEqualTo(b.overlaps(a)).isEqualTo(a.contains(b.address()) || b.contains(a.address()));
    }

    @Test
    void textIsCanonicalAndMistakesAreNamed() {
        assertThat(Cidr.parse("2001:DB8:0:0::/48")).hasToString("2001:db8:0:0:0:0:0:0/48");
        assertThat(Cidr.parse("::1")).satisfies(c -> assertThat(c.isAddress()).isTrue()).hasToString("0:0:0:0:0:0:0:1");
        assertThat(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("2001:db8::/32"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8")).hasMessageContaining("the block is 10.0.0.0/8");
        assertThatThrownBy(() -> Cidr.parse("2001:db8::1/129")).hasMessageContaining("0 to 128");
        assertThatThrownBy(() -> Cidr.parse("010.0.0.1x")).hasMessageContaining("not an IP address");
        assertThat(Cidr.masked(new byte[]{10, 1, 2, 3}, 8)).isEqualTo(Cidr.parse("10.0.0.0/8"));
    }
}
