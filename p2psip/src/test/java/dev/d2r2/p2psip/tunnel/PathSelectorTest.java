package dev.d2r2.p2psip.tunnel;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathSelectorTest {
    private static Hop hop(int port) {
        return new Hop(X25519.raw(X25519.generate().getPublic()), new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    private final Hop self = hop(1);
    private final List<Hop> pool = new ArrayList<>();
    private final EntryGuards guards = new EntryGuards(EntryGuards.DEFAULT_COUNT, new Random(7));
    private final PathSelector selector = new PathSelector(self, guards, new Random(11));

    PathSelectorTest() {
        pool.add(self);
        for (int i = 0; i < 40; i++) {
            pool.add(hop(2000 + i));
        }
    }

    @Test
    void defaultLengthsAreThreeInboundAndTwoOutboundWithDistinctHopsOtherThanSelf() {
        for (int i = 0; i < 200; i++) {
            List<Hop> in = selector.pick(TunnelKind.INBOUND, pool);
            List<Hop> out = selector.pick(TunnelKind.OUTBOUND, pool);
            assertThat(in).hasSize(3).doesNotHaveDuplicates().doesNotContain(self);
            assertThat(out).hasSize(2).doesNotHaveDuplicates().doesNotContain(self);
        }
    }

    @Test
    void theFirstInboundHopIsAlwaysOneOfTheSameFewGuards() {
        Set<Hop> firsts = new HashSet<>();
        Set<Hop> elsewhere = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            List<Hop> in = selector.pick(TunnelKind.INBOUND, pool);
            firsts.add(in.getFirst());
            elsewhere.addAll(in.subList(1, in.size()));
            elsewhere.addAll(selector.pick(TunnelKind.OUTBOUND, pool));
        }
        assertThat(firsts).hasSize(EntryGuards.DEFAULT_COUNT).containsExactlyInAnyOrderElementsOf(guards.current(pool));
        assertThat(elsewhere.size()).isGreaterThan(30);
    }

    @Test
    void noGuardIsEverAnInboundTunnelsEntryPointOrMiddleHop() {
        for (int i = 0; i < 300; i++) {
            List<Hop> in = selector.pick(TunnelKind.INBOUND, pool);
            assertThat(in.subList(1, in.size())).doesNotContainAnyElementsOf(guards.current(pool));
        }
    }

    @Test
    void aGuardGoneFromThePoolStaysAGuardAndOneThatDepartedIsReplaced() {
        List<Hop> before = guards.current(pool);
        pool.remove(before.getFirst());
        assertThat(guards.current(pool)).as("a refresh of the pool that did not return it").isEqualTo(before);

        selector.departed(before.get(1));

        List<Hop> after = guards.current(pool);
        assertThat(after).hasSize(EntryGuards.DEFAULT_COUNT).doesNotContain(before.get(1)).contains(before.get(0), before.get(2));
    }

    @Test
    void aPoolTooSmallIsRefused() {
        assertThatThrownBy(() -> selector.pick(TunnelKind.INBOUND, List.of(self, pool.get(1), pool.get(2))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot pick 3");
    }
}
