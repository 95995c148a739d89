package dev.d2r2.sip.edge;

import dev.d2r2.core.SubjectPattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Strict parsing, canonical text, containment and overlap of address blocks; backend addresses without DNS. */
class CidrTest {
    private static InetAddress v4(int bits) throws Exception {
        return InetAddress.getByAddress(new byte[]{(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
    }

    private static Cidr block(int bits, int prefix) throws Exception {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return Cidr.parse(v4(bits & mask).getHostAddress() + "/" + prefix);
    }

    @Property
    void containmentAgreesWithThePolicysSubjectPattern(@ForAll int network, @ForAll @IntRange(max = 32) int prefix, @ForAll int address)
            throws Exception {
        Cidr c = block(network, prefix);
        InetAddress a = v4(address);
        assertThat(c.contains(a)).isEqualTo(SubjectPattern.parse(c.toString()).matches(a.getHostAddress()));
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
    }

    @Test
    void backendAddressesAreLiteralsNeverNames() throws Exception {
        assertThat(BackendAddress.parse("127.0.0.1:5070")).isEqualTo(new InetSocketAddress("127.0.0.1", 5070));
        assertThat(BackendAddress.parse("[::1]:5070")).isEqualTo(new InetSocketAddress(InetAddress.ofLiteral("::1"), 5070));
        assertThat(BackendAddress.parse("192.0.2.1").getPort()).isEqualTo(5060);
        for (String bad : new String[]{"localhost:5070", "sip.example.com", "::1:5070", "[::1]x", "[127.0.0.1]:5070", "10.0.0.0/8:9",
                "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:", "", "1".repeat(65)}) {
            assertThatThrownBy(() -> BackendAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
