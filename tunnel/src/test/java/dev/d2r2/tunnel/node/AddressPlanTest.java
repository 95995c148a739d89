package dev.d2r2.tunnel.node;

import dev.d2r2.core.Cidr;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** dn1's pool 10.77.1.0/24 cut into a block for the ENs dn2 backs up and one for dn3's; dn1 backs up dn2's first block. */
class AddressPlanTest {
    private static final int BASE = 0x0a4d0100;
    private final AddressPlan plan = new AddressPlan(Cidr.parse("10.77.1.0/24"),
            Map.of("dn2", Cidr.parse("10.77.1.0/26"), "dn3", Cidr.parse("10.77.1.64/26")),
            List.of(Cidr.parse("10.77.2.0/26")), Cidr.parse("10.77.0.0/16"));

    @Test
    void anEnGetsItsAddressFromItsBackupsBlock() {
        assertThat(Ipv4.text(plan.free("dn2", a -> false))).as("never the pool's network address").isEqualTo("10.77.1.1");
        assertThat(Ipv4.text(plan.free("dn3", a -> false))).isEqualTo("10.77.1.64");
        assertThat(Ipv4.text(plan.free("dn4", a -> false))).as("a backup without a block: the rest of the pool").isEqualTo("10.77.1.128");
        assertThat(Ipv4.text(plan.free("", a -> false))).isEqualTo("10.77.1.128");
    }

    @Test
    void aFullBlockGivesNoAddressAndTheRestNeverTheBroadcast() {
        Set<Integer> taken = new HashSet<>();
        for (int a = plan.free("dn2", taken::contains); a != 0; a = plan.free("dn2", taken::contains)) {
            assertThat(Ipv4.contains(Cidr.parse("10.77.1.0/26"), a)).isTrue();
            taken.add(a);
        }
        assertThat(taken).hasSize(63);
        for (int a = plan.free("dn4", taken::contains); a != 0; a = plan.free("dn4", taken::contains)) {
            taken.add(a);
        }
        assertThat(taken).hasSize(63 + 127).doesNotContain(BASE + 255);
    }

    @Test
    void asSecondaryOnlyItsSecondarySubnetsAreAccepted() {
        assertThat(plan.refusal(0x0a4d0205, false)).isNull();
        assertThat(plan.refusal(0x0a4d0245, false)).contains("none of this DN's secondary subnets");
        assertThat(plan.refusal(0x0a4d0245, true)).contains("not in this DN's pool");
        assertThat(plan.refusal(0x0a4e0001, false)).contains("outside the client network");
        assertThat(plan.refusal(BASE + 7, true)).isNull();
    }
}
