package dev.d2r2.overlay.route;

import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.wire.MalformedPacket;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static dev.d2r2.overlay.route.WarpSim.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** WARP's three phases in virtual time ({@link WarpSim}), with one-way black holes and slow links. */
class WarpTest {
    private static final InetSocketAddress S = node("source");
    private static final InetSocketAddress D = node("destination");
    private static final WarpConfig CONFIG = WarpConfig.defaults();

    /** {@code n} peers, the farthest from the destination's overlay id first: a seeker passes from each to a later one. */
    private static List<InetSocketAddress> towardsDestination(int n) {
        NodeId target = Warp.idOf(D);
        return IntStream.range(0, n).mapToObj(i -> node("peer" + i))
                .sorted(Comparator.comparing((InetSocketAddress a) -> Warp.idOf(a), target::compareDistance).reversed())
                .toList();
    }

    private static WarpSim sim() {
        WarpSim sim = new WarpSim(CONFIG, 1);
        sim.add(D, List.of());
        sim.blackHole(S, D);
        return sim;
    }

    @Test
    void phaseOneTheSeekersLastHopIsTheRelay() {
        List<InetSocketAddress> p = towardsDestination(2);
        WarpSim sim = sim();
        sim.add(S, List.of(p.get(0)));
        sim.add(p.get(0), List.of(S, p.get(1)));
        sim.add(p.get(1), List.of(p.get(0)));
        sim.warp(S).search(D, 0);
        sim.run(10_000);
        assertThat(sim.found).hasSize(1);
        assertThat(sim.found.getFirst().relay()).as("the seeker went on to the peer closer to the destination's id").isEqualTo(p.get(1));
        assertThat(sim.found.getFirst().phase()).isEqualTo("seek");
        assertThat(sim.found.getFirst().performance().answered()).isEqualTo(CONFIG.probes());
        assertThat(sim.sent).doesNotContainKeys("Trace", "Extend");
    }

    @Test
    void phaseTwoAHopOnTheTracedPathThatReachesTheDestinationIsTheRelay() {
        List<InetSocketAddress> p = towardsDestination(2);
        WarpSim sim = sim();
        sim.blackHole(p.get(1), D);
        sim.add(S, List.of(p.get(0)));
        sim.add(p.get(0), List.of(S, p.get(1)));
        sim.add(p.get(1), List.of(p.get(0)));
        sim.warp(S).search(D, 0);
        sim.run(10_000);
        assertThat(sim.found).extracting(WarpSim.Found::relay, WarpSim.Found::phase).containsExactly(tuple(p.get(0), "trace"));
        assertThat(sim.found.getFirst().at()).isEqualTo(CONFIG.seekTimeout().toMillis() + CONFIG.traceTimeout().toMillis());
    }

    @Test
    void phaseThreeTheNextHopAsksKOfItsNeighbours() {
        List<InetSocketAddress> p = towardsDestination(4);
        InetSocketAddress last = p.get(3);
        WarpSim sim = sim();
        sim.blackHole(last, D);
        sim.blackHole(p.get(0), D);
        sim.add(S, List.of(last));
        sim.add(last, List.of(S, p.get(0), p.get(1), p.get(2)));
        sim.add(p.get(0), List.of(last));
        sim.add(p.get(1), List.of(last));
        sim.add(p.get(2), List.of(last));
        sim.warp(S).search(D, 0);
        sim.run(10_000);
        assertThat(sim.found).hasSize(1);
        assertThat(sim.found.getFirst().relay()).isIn(p.get(1), p.get(2));
        assertThat(sim.found.getFirst().phase()).isEqualTo("extend");
        assertThat(sim.sent.get("Ask")).isEqualTo(CONFIG.k());
    }

    @Test
    void theExtendedSearchGoesOnThroughAPeerThatAnsweredNo() {
        List<InetSocketAddress> p = towardsDestination(3);
        InetSocketAddress hop = p.get(2);
        WarpSim sim = sim();
        sim.blackHole(hop, D);
        sim.blackHole(p.get(0), D);
        sim.add(S, List.of(hop));
        sim.add(hop, List.of(S, p.get(0)));
        sim.add(p.get(0), List.of(hop, p.get(1)));
        sim.add(p.get(1), List.of(p.get(0)));
        sim.warp(S).search(D, 0);
        sim.run(10_000);
        assertThat(sim.found).extracting(WarpSim.Found::relay, WarpSim.Found::phase).containsExactly(tuple(p.get(1), "extend"));
        assertThat(sim.sent.get("Extend")).isEqualTo(2);
    }

    @Test
    void aSlowPathIsNotSufficientWhileAFastOneIsFoundButIsTakenWhenItIsTheOnlyOne() {
        List<InetSocketAddress> p = towardsDestination(2);
        InetSocketAddress hop = p.get(1);
        WarpSim sim = sim();
        sim.slow(hop, D, CONFIG.maxRtt().toMillis() + 20);
        sim.add(S, List.of(hop));
        sim.add(hop, List.of(S, p.get(0)));
        sim.add(p.get(0), List.of(hop));
        sim.warp(S).search(D, 0);
        sim.run(10_000);
        assertThat(sim.found).extracting(WarpSim.Found::relay, WarpSim.Found::phase).containsExactly(tuple(p.get(0), "extend"));

        WarpSim alone = sim();
        alone.slow(hop, D, CONFIG.maxRtt().toMillis() + 20);
        alone.add(S, List.of(hop));
        alone.add(hop, List.of(S));
        alone.warp(S).search(D, 0);
        alone.run(10_000);
        assertThat(alone.found).hasSize(1);
        assertThat(alone.found.getFirst().relay()).isEqualTo(hop);
        assertThat(alone.found.getFirst().performance().rttMillis()).as("the best seen, when nobody is left to ask").isGreaterThan(CONFIG.maxRtt().toMillis());
    }

    @Test
    void aSourceWithoutNeighboursDoesNotSearch() {
        WarpSim sim = sim();
        sim.add(S, List.of());
        sim.warp(S).search(D, 0);
        assertThat(sim.warp(S).searching()).isFalse();
        sim.run(10_000);
        assertThat(sim.found).isEmpty();
    }

    /**
     * Random overlays, random black holes towards the destination: a relay WARP takes reaches the
     * destination, and one is found whenever the source's next hop or one of the k neighbours it
     * asks first reaches it.
     */
    @Property(tries = 200)
    void aRelayTakenReachesTheDestination(@ForAll @IntRange(min = 3, max = 40) int n, @ForAll @IntRange(min = 1, max = 5) int degree,
                                          @ForAll @DoubleRange(min = 0, max = 0.9) double broken, @ForAll long seed) {
        Random r = new Random(seed);
        List<InetSocketAddress> peers = IntStream.range(0, n).mapToObj(i -> node("p" + i)).toList();
        List<List<InetSocketAddress>> neighbours = new ArrayList<>();
        WarpSim sim = sim();
        for (InetSocketAddress peer : peers) {
            List<InetSocketAddress> mine = new ArrayList<>();
            for (int tries = 0; mine.size() < degree && tries < 10 * degree; tries++) {
                InetSocketAddress other = peers.get(r.nextInt(n));
                if (!other.equals(peer) && !mine.contains(other)) {
                    mine.add(other);
                }
            }
            neighbours.add(mine);
            if (r.nextDouble() < broken) {
                sim.blackHole(peer, D);
            }
            sim.add(peer, mine);
        }
        sim.add(S, neighbours.getFirst());
        sim.warp(S).search(D, 0);
        sim.run(CONFIG.searchTimeout().toMillis() * 3);
        for (WarpSim.Found f : sim.found) {
            assertThat(sim.reaches(f.relay(), D)).as("relay %s", f.relay()).isTrue();
            assertThat(f.performance().answered()).isPositive();
        }
        if (sim.found.isEmpty() && !neighbours.getFirst().isEmpty()) {
            InetSocketAddress first = neighbours.getFirst().stream()
                    .min(Comparator.comparing((InetSocketAddress a) -> Warp.idOf(a), Warp.idOf(D)::compareDistance)).orElseThrow();
            List<InetSocketAddress> near = new ArrayList<>(neighbours.get(peers.indexOf(first)).stream().limit(CONFIG.k()).toList());
            near.add(first);
            assertThat(near.stream().noneMatch(a -> sim.reaches(a, D)))
                    .as("none near the next hop reaches the destination").isTrue();
        }
    }

    /** Whatever the bytes after an authenticated header, reading WARP's bodies gives a message or a MalformedPacket. */
    @Property(tries = 2000)
    void anyBodyIsAMessageOrMalformed(@ForAll byte[] body, @ForAll @IntRange(min = 7, max = 12) int type) {
        try {
            RoutePacket.readWarp(RoutePacket.Type.values()[type], ByteBuffer.wrap(body));
        } catch (MalformedPacket e) {
            assertThat(e.reason()).isNotNull();
        }
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        InetSocketAddress a = new InetSocketAddress("10.0.0.1", 4200);
        InetSocketAddress b6 = new InetSocketAddress("fd00::2", 4201);
        List<WarpMessage> all = List.of(new WarpMessage.Seek(1, 2, a, b6, 3), new WarpMessage.SeekAck(4, 0, a),
                new WarpMessage.Trace(5, a, b6, 6), new WarpMessage.Extend(7, a, b6, List.of(a, b6)), new WarpMessage.Ask(8, b6, a),
                new WarpMessage.Measured(9, true, 3, 2, 17));
        for (WarpMessage m : all) {
            ByteBuffer buffer = ByteBuffer.allocate(RoutePacket.MAX);
            RoutePacket.warp(buffer, m);
            buffer.flip();
            assertThat(RoutePacket.readWarp(RoutePacket.typeOf(m), buffer)).isEqualTo(m);
        }
    }
}
