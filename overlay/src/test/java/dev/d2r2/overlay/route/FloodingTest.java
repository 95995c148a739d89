package dev.d2r2.overlay.route;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Limited flooding on random overlays: the contingent bounds the probes exactly, nobody probes twice, shares add up. */
class FloodingTest {
    private static InetSocketAddress node(int i) {
        return InetSocketAddress.createUnresolved("n" + i, 1);
    }

    private record Check(InetSocketAddress from, InetSocketAddress to, InetSocketAddress origin, int contingent) {
    }

    /** Runs one flood from node 0 over a random graph of {@code n} nodes; returns how often each node probed. */
    private static int[] flood(int n, int degree, int contingent, long seed) {
        Random r = new Random(seed);
        List<List<InetSocketAddress>> neighbours = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<InetSocketAddress> mine = new ArrayList<>();
            while (mine.size() < Math.min(degree, n - 1)) {
                InetSocketAddress other = node(r.nextInt(n));
                if (!other.equals(node(i)) && !mine.contains(other)) {
                    mine.add(other);
                }
            }
            neighbours.add(mine);
        }
        int[] probes = new int[n];
        ArrayDeque<Check> queue = new ArrayDeque<>();
        Map<InetSocketAddress, Flooding> nodes = new HashMap<>();
        InetSocketAddress destination = InetSocketAddress.createUnresolved("destination", 1);
        for (int i = 0; i < n; i++) {
            int me = i;
            nodes.put(node(i), new Flooding(neighbours.get(i), new Flooding.Out() {
                @Override
                public void check(InetSocketAddress to, long floodId, InetSocketAddress origin, InetSocketAddress d, int c) {
                    assertThat(c).isPositive();
                    queue.add(new Check(node(me), to, origin, c));
                }

                @Override
                public void probe(InetSocketAddress d, long floodId) {
                    probes[me]++;
                }
            }));
        }
        nodes.get(node(0)).start(7, node(0), destination, contingent);
        while (!queue.isEmpty()) {
            Check c = queue.poll();
            nodes.get(c.to()).onCheck(c.from(), 7, c.origin(), destination, c.contingent());
        }
        return probes;
    }

    @Property(tries = 300)
    void theContingentBoundsTheProbesAndNoNodeProbesTwice(@ForAll @IntRange(min = 2, max = 80) int n,
                                                          @ForAll @IntRange(min = 1, max = 8) int degree,
                                                          @ForAll @IntRange(min = 0, max = 200) int contingent,
                                                          @ForAll long seed) {
        int[] probes = flood(n, degree, contingent, seed);
        assertThat(Arrays.stream(probes).sum()).isLessThanOrEqualTo(contingent);
        assertThat(Arrays.stream(probes).max().orElse(0)).isLessThanOrEqualTo(1);
        assertThat(probes[0]).as("the origin does not probe its own broken path").isZero();
    }

    @Test
    void onAChainEveryUnitOfTheContingentIsSpent() {
        int[] probes = flood(2, 1, 1, 1);
        assertThat(probes).containsExactly(0, 1);
    }

    @Property
    void sharesAddUpAndDifferByAtMostOne(@ForAll @IntRange(min = 0, max = 1000) int c, @ForAll @IntRange(min = 1, max = 50) int n) {
        int[] s = Flooding.shares(c, n);
        assertThat(Arrays.stream(s).sum()).isEqualTo(c);
        assertThat(Arrays.stream(s).max().getAsInt() - Arrays.stream(s).min().getAsInt()).isLessThanOrEqualTo(1);
    }

    @Test
    void aSecondCopyOfAFloodIsDroppedAndCounted() {
        List<Integer> probed = new ArrayList<>();
        Flooding f = new Flooding(List.of(node(2), node(3)), new Flooding.Out() {
            @Override
            public void check(InetSocketAddress to, long floodId, InetSocketAddress origin, InetSocketAddress d, int c) {
            }

            @Override
            public void probe(InetSocketAddress d, long floodId) {
                probed.add(1);
            }
        });
        f.onCheck(node(0), 9, node(0), node(99), 5);
        f.onCheck(node(2), 9, node(0), node(99), 5);
        assertThat(probed).hasSize(1);
        assertThat(f.duplicates()).isEqualTo(1);
        assertThat(f.originOf(9)).isEqualTo(node(0));
    }
}
