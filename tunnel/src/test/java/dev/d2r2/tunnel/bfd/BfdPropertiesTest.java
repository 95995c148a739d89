package dev.d2r2.tunnel.bfd;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 5880's timer rules over random configurations, seeds and packet streams, in virtual time. */
class BfdPropertiesTest {

    @Provide
    Arbitrary<BfdTimers> timers() {
        return Combinators.combine(Arbitraries.integers().between(10, 200), Arbitraries.integers().between(10, 200),
                        Arbitraries.integers().between(1, 10), Arbitraries.integers().between(50, 1000))
                .as((tx, rx, mult, idle) -> new BfdTimers(Duration.ofMillis(tx), Duration.ofMillis(rx), mult, Duration.ofMillis(idle)));
    }

    @Property(tries = 200)
    void aHealthyLinkComesUpAndStaysUp(@ForAll("timers") BfdTimers a, @ForAll("timers") BfdTimers b, @ForAll long seed) {
        BfdPair pair = new BfdPair(a, b, seed);
        pair.runUntil(5000);
        assertThat(pair.active.state()).isEqualTo(BfdState.UP);
        assertThat(pair.passive.state()).isEqualTo(BfdState.UP);
        pair.runUntil(10_000);
        assertThat(pair.passiveChanges).hasSize(2);
    }

    @Property(tries = 200)
    void detectionTimeIsThePeersMultiplierTimesTheSlowerOfOurRxAndItsTx(@ForAll("timers") BfdTimers a, @ForAll("timers") BfdTimers b,
                                                                       @ForAll long seed) {
        BfdPair pair = new BfdPair(a, b, seed);
        pair.runUntil(5000);
        long expected = a.multiplier() * Math.max(b.rx().toMillis(), a.tx().toMillis());
        assertThat(pair.passive.detectionTimeMillis()).isEqualTo(expected);
        pair.activeSilent = true;
        long last = pair.lastPassiveHeardActive;
        pair.runUntil(5000 + expected + 10);
        assertThat(pair.passive.state()).isEqualTo(BfdState.DOWN);
        assertThat(pair.passiveChanges.getLast()[0] - last).isEqualTo(expected);
    }

    @Property(tries = 200)
    void upIntervalsAreThreeQuartersToAllOfTheNegotiatedOne(@ForAll("timers") BfdTimers a, @ForAll("timers") BfdTimers b, @ForAll long seed) {
        BfdPair pair = new BfdPair(a, b, seed);
        pair.runUntil(5000);
        int from = pair.activeSends.size();
        pair.runUntil(8000);
        List<Long> sends = pair.activeSends.subList(from, pair.activeSends.size());
        long negotiated = Math.max(a.tx().toMillis(), b.rx().toMillis());
        double most = a.multiplier() == 1 ? 0.90 : 1.0;
        for (int i = 1; i < sends.size(); i++) {
            long gap = sends.get(i) - sends.get(i - 1);
            assertThat(gap).isBetween(Math.max(1, (long) Math.floor(negotiated * 0.75)), (long) Math.ceil(negotiated * most));
        }
    }

    @Property(tries = 300)
    void upIsReachedOnlyFromAPeerInInitOrUp(@ForAll("packets") List<BfdPacket> stream, @ForAll @IntRange(min = 1, max = 50) int step) {
        BfdSession s = new BfdSession(new BfdTimers(Duration.ofMillis(10), Duration.ofMillis(10), 3, Duration.ofMillis(100)), 7, false,
                new SplittableRandom(1), 0);
        long now = 0;
        for (BfdPacket p : stream) {
            BfdState before = s.state();
            s.onTimer(now);
            BfdState afterTimer = s.state();
            BfdState after = s.onPacket(p, now);
            if (after == BfdState.UP && afterTimer != BfdState.UP) {
                assertThat(p.state()).isIn(BfdState.INIT, BfdState.UP);
                assertThat(p.yourDiscriminator()).isIn(0, 7);
            }
            if (p.state() == BfdState.ADMIN_DOWN && (p.yourDiscriminator() == 0 || p.yourDiscriminator() == 7)) {
                assertThat(after).isEqualTo(BfdState.DOWN);
            }
            assertThat(before).isNotNull();
            now += step;
        }
    }

    @Provide
    Arbitrary<List<BfdPacket>> packets() {
        Arbitrary<BfdPacket> one = Combinators.combine(Arbitraries.of(BfdState.values()), Arbitraries.of(0, 7, 8),
                        Arbitraries.integers().between(1, 5), Arbitraries.longs().between(1000, 100_000))
                .as((state, your, mult, interval) -> new BfdPacket(0, state, false, false, mult, 9, your, interval, interval));
        return one.list().ofMaxSize(60);
    }
}
