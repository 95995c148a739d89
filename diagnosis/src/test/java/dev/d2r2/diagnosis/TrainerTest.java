package dev.d2r2.diagnosis;

import dev.d2r2.monitor.events.Sample;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The trainer's default metric set: the rates dense in health, and the os probe's fault rates though zero in health. */
class TrainerTest {
    private static final String THROTTLED = "os.throttled_pct";
    private static final String FILTERED = "os.net_rx_filtered_per_s";

    /**
     * The synthetic peers' samples, each second also with the fault rates: zero, but {@code
     * faulty} on peer s1 at {@code value} from window {@code faultFrom} on (never when negative).
     */
    private static List<Sample> withFaultRates(List<Sample> base, String faulty, int faultFrom, double value) {
        return withFaultRates(base, faulty, w -> faultFrom >= 0 && w >= faultFrom ? value : 0);
    }

    /** As above, {@code faulty} on peer s1 at {@code valueIn.applyAsDouble(window)}. */
    private static List<Sample> withFaultRates(List<Sample> base, String faulty, IntToDoubleFunction valueIn) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : base) {
            out.add(s);
            if (s.metric().equals(Synthetic.METRICS.getFirst())) {
                double fault = s.service().equals(Synthetic.peer(0)) ? valueIn.applyAsDouble((int) (s.time() / Synthetic.WINDOW_MS)) : 0;
                for (String m : List.of(THROTTLED, FILTERED)) {
                    out.add(new Sample(m, s.time(), s.service(), m.equals(faulty) ? fault : 0, null));
                }
            }
        }
        return out;
    }

    private static Trainer.Request defaults(int k) {
        return new Trainer.Request(List.of(), "os", Map.of(), Synthetic.WINDOW_MS, k, VoteSettings.DEFAULTS, 0.25, 42);
    }

    @Test
    void theDefaultSetKeepsTheFaultRatesZeroInHealthButNotOtherMostlyZeroRatesNorGauges() {
        List<Sample> samples = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            for (String peer : List.of("a", "b", "c")) {
                samples.add(new Sample("os.cpu_pct", t * 1000L, peer, 5 + t, null));
                samples.add(new Sample("os.major_faults_per_s", t * 1000L, peer, t == 3 ? 7 : 0, null));
                samples.add(new Sample(THROTTLED, t * 1000L, peer, 0, null));
                samples.add(new Sample("os.rss_bytes", t * 1000L, peer, 1e8, null));
                if (!peer.equals("c")) {
                    samples.add(new Sample(FILTERED, t * 1000L, peer, 0, null));
                }
            }
        }
        assertThat(Trainer.rates(samples, "os")).as("a fault rate one peer does not report is left out")
                .containsExactly("os.cpu_pct", THROTTLED);
        samples.add(new Sample(FILTERED, 0, "c", 0, null));
        assertThat(Trainer.rates(samples, "os")).containsExactly("os.cpu_pct", FILTERED, THROTTLED);
    }

    /**
     * Trained with the default set on fault-free peers, the vote indicts nobody in a fresh fault-free
     * run, and catches a peer held back by its CPU quota, or whose firewall drops packets, within
     * the bound, by that metric, though no other metric moves.
     */
    @Property(tries = 20)
    void theFaultRatesOfTheDefaultSetCatchAQuotaAndAFirewallWithinTheBoundAndHealthIndictsNobody(
            @ForAll @IntRange(min = 3, max = 7) int peers, @ForAll @IntRange(min = 2, max = 4) int k,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Trainer.Training t = Trainer.train(withFaultRates(new Synthetic(peers, seed, 0.03).samples(60, -1, 0), THROTTLED, -1, 0), defaults(k));
        assertThat(t.profiles().metrics()).containsExactlyInAnyOrder(Synthetic.METRICS.get(0), Synthetic.METRICS.get(1),
                Synthetic.METRICS.get(2), FILTERED, THROTTLED);
        List<String> group = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
            group.add(Synthetic.peer(i));
        }
        Diagnoser healthy = new Diagnoser(t.profiles(), group);
        for (Windows.Window w : windows(t.profiles(), withFaultRates(new Synthetic(peers, seed + 1, 0.03).samples(60, -1, 0), THROTTLED, -1, 0))) {
            assertThat(healthy.step(w.end(), w.vectors()).indicted()).isEmpty();
        }
        int faultFrom = 10;
        for (var fault : Map.of(THROTTLED, 30.0, FILTERED, 2.0).entrySet()) {
            Diagnoser d = new Diagnoser(t.profiles(), group);
            List<Windows.Window> live = windows(t.profiles(),
                    withFaultRates(new Synthetic(peers, seed + 2, 0.03).samples(20, -1, 0), fault.getKey(), faultFrom, fault.getValue()));
            int indictedAt = -1;
            for (int w = 0; w < live.size() && indictedAt < 0; w++) {
                Verdict v = d.step(live.get(w).end(), live.get(w).vectors());
                if (!v.indicted().isEmpty()) {
                    assertThat(v.indicted()).extracting(Indictment::peer).containsExactly(Synthetic.peer(0));
                    assertThat(v.indicted().getFirst().metric()).isEqualTo(fault.getKey());
                    indictedAt = w;
                }
            }
            assertThat(indictedAt).as(fault.getKey() + " indicted at window").isBetween(faultFrom, faultFrom + DiagnoserTest.BOUND - 1);
        }
    }

    /**
     * A 5 % loss of a SIP server's packets is about 2 drops a second: some windows have none while
     * it lasts. A peer whose firewall drops packets in most windows, never two windows running
     * without one, is indicted within the bound of its first drop, alone, and stays indicted until
     * the drops end; then it is cleared. (Before the vote held the rates of rare events, a window
     * without a drop looked healthy: it broke the run of suspect windows, or cleared the peer.)
     */
    @Property(tries = 20)
    void aLossWithWindowsWithoutADropIsIndictedWithinTheBoundOfItsFirstDropAndStaysIndicted(
            @ForAll @IntRange(min = 3, max = 7) int peers, @ForAll @IntRange(min = 2, max = 4) int k,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Trainer.Training t = Trainer.train(withFaultRates(new Synthetic(peers, seed, 0.03).samples(60, -1, 0), THROTTLED, -1, 0), defaults(k));
        for (int m = 0; m < t.profiles().metrics().size(); m++) {
            String metric = t.profiles().metrics().get(m);
            assertThat(t.profiles().held()[m]).as(metric + " held").isEqualTo(metric.equals(FILTERED) || metric.equals(THROTTLED));
        }
        int faultFrom = 10;
        int faultTo = 40;
        boolean[] drops = new boolean[faultTo];
        Random r = new Random(seed);
        for (int w = faultFrom; w < faultTo; w++) {
            drops[w] = w == faultFrom || !drops[w - 1] || r.nextDouble() < 0.6;
        }
        Diagnoser d = new Diagnoser(t.profiles(), group(peers));
        List<Windows.Window> live = windows(t.profiles(), withFaultRates(new Synthetic(peers, seed + 2, 0.03).samples(faultTo + 10, -1, 0),
                FILTERED, w -> w < faultTo && drops[w] ? 2.0 : 0));
        int indictedAt = -1;
        int clearedAt = -1;
        for (int w = 0; w < live.size(); w++) {
            Verdict v = d.step(live.get(w).end(), live.get(w).vectors());
            if (!v.indicted().isEmpty()) {
                assertThat(v.indicted()).extracting(Indictment::peer).containsExactly(Synthetic.peer(0));
                assertThat(v.indicted().getFirst().metric()).isEqualTo(FILTERED);
                assertThat(indictedAt).as("indicted once").isNegative();
                indictedAt = w;
            }
            if (!v.cleared().isEmpty()) {
                clearedAt = w;
            }
        }
        assertThat(indictedAt).as("indicted at window").isBetween(faultFrom, faultFrom + DiagnoserTest.BOUND - 1);
        assertThat(clearedAt).as("cleared at window, once the drops ended").isGreaterThanOrEqualTo(faultTo);
    }

    /** Drops in every other window only: never indicted before the hold, within the bound with it. */
    @Example
    void dropsInEveryOtherWindowAreIndictedWithinTheBound() {
        Trainer.Training t = Trainer.train(withFaultRates(new Synthetic(5, 3, 0.03).samples(60, -1, 0), THROTTLED, -1, 0), defaults(3));
        Diagnoser d = new Diagnoser(t.profiles(), group(5));
        int faultFrom = 10;
        List<Windows.Window> live = windows(t.profiles(), withFaultRates(new Synthetic(5, 4, 0.03).samples(30, -1, 0),
                FILTERED, w -> w >= faultFrom && (w - faultFrom) % 2 == 0 ? 2.0 : 0));
        List<Integer> indictedAt = new ArrayList<>();
        for (int w = 0; w < live.size(); w++) {
            if (!d.step(live.get(w).end(), live.get(w).vectors()).indicted().isEmpty()) {
                indictedAt.add(w);
            }
        }
        assertThat(indictedAt).containsExactly(faultFrom + DiagnoserTest.BOUND - 1);
    }

    /**
     * One window of drops in a peer among steady peers is, held, an odd spell of {@code consecutive}
     * windows, which the vote does not indict; drops in two windows running are indicted.
     */
    @Property(tries = 20)
    void oneWindowOfDropsAmongSteadyPeersIndictsNobodyAndTwoRunningDo(@ForAll @IntRange(min = 3, max = 7) int peers,
            @ForAll @IntRange(min = 2, max = 4) int k, @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        List<Sample> training = withFaultRates(new Synthetic(peers, seed, 0.03).samples(60, -1, 0), THROTTLED, -1, 0);
        Trainer.Training t = Trainer.train(training, defaults(k));
        double[] steady = windows(t.profiles(), training).get(1).vectors().get(Synthetic.peer(0));
        double[] dropping = steady.clone();
        dropping[t.profiles().metrics().indexOf(FILTERED)] = 2.0;
        Diagnoser d = new Diagnoser(t.profiles(), group(peers));
        List<Integer> indictedAt = new ArrayList<>();
        for (int w = 0; w < 40; w++) {
            Map<String, double[]> vectors = new java.util.TreeMap<>();
            group(peers).forEach(p -> vectors.put(p, steady));
            if (w == 10 || w == 30 || w == 31) {
                vectors.put(Synthetic.peer(0), dropping);
            }
            if (!d.step(w * Synthetic.WINDOW_MS, vectors).indicted().isEmpty()) {
                indictedAt.add(w);
            }
        }
        assertThat(indictedAt).as("drops at window 10, then at 30 and 31").containsExactly(32);
    }

    /**
     * Healthy peers under one steady load whose packets follow how many calls each got in a window (a quiet second
     * has fewer, independently from peer to peer) while their CPU share holds still: the packets get a spread of
     * their own, above one unit, the CPU share the least spread. A peer as far off in packets as another is in CPU
     * share, in normalised units, is the smaller effect, under the floor.
     */
    @Property(tries = 20)
    void aMetricHealthyPeersDifferInNeedsALargerDifferenceToBeAnEffect(@ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        String cpu = "os.cpu_pct";
        String packets = "os.net_tx_packets_per_s";
        Random r = new Random(seed);
        List<Sample> samples = new ArrayList<>();
        for (int w = 0; w < 60; w++) {
            for (int p = 0; p < 5; p++) {
                double calls = Math.max(1, 20 + Math.sqrt(20) * r.nextGaussian());
                for (int s = 0; s < Synthetic.WINDOW_MS / 1000; s++) {
                    long t = w * Synthetic.WINDOW_MS + s * 1000L;
                    samples.add(new Sample(cpu, t, Synthetic.peer(p), 3 * (1 + 0.01 * r.nextGaussian()), null));
                    samples.add(new Sample(packets, t, Synthetic.peer(p), 5 * calls, null));
                }
            }
        }
        Profiles profiles = Trainer.train(samples, new Trainer.Request(List.of(cpu, packets), "os", Map.of(), Synthetic.WINDOW_MS, 2,
                VoteSettings.DEFAULTS, 0.25, 42)).profiles();
        assertThat(profiles.spread()[0]).as("the CPU share's spread").isEqualTo(Profiles.MIN_SPREAD);
        assertThat(profiles.spread()[1]).as("the packets' spread").isGreaterThan(1.1);

        double off = 1.1 * VoteSettings.DEFAULTS.effectFloor();
        for (int m = 0; m < 2; m++) {
            double[] shift = new double[2];
            shift[m] = off;
            Diagnoser d = new Diagnoser(profiles, group(5));
            Verdict v = null;
            for (int w = 0; w <= VoteSettings.DEFAULTS.warmup(); w++) {
                Map<String, double[]> vectors = new java.util.TreeMap<>();
                group(5).forEach(p -> vectors.put(p, raw(profiles, new double[2])));
                vectors.put(Synthetic.peer(0), raw(profiles, shift));
                v = d.step(w * Synthetic.WINDOW_MS, vectors);
            }
            double effect = v.effects()[v.voters().indexOf(Synthetic.peer(0))];
            if (m == 0) {
                assertThat(effect).as("off in the CPU share").isCloseTo(off, within(1e-6));
            } else {
                assertThat(effect).as("off in packets").isCloseTo(off / profiles.spread()[1], within(1e-6))
                        .isLessThan(VoteSettings.DEFAULTS.effectFloor());
            }
        }
    }

    /**
     * Page faults are zero in most healthy windows, and a healthy JVM has a rare burst of a few tens (a code cache or a
     * thread stack growing). Such bursts in three windows running are no effect above the floor, as they were when
     * near-zero counts were scaled as factors (then they indict); a leak's thousands a second are indicted within the
     * bound by that metric. The held fault rate keeps the fine scale, on which two drops are the fault.
     */
    @Property(tries = 20)
    void aFewPageFaultsThreeWindowsRunningIndictNobodyAndALeakIsIndicted(@ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        String cpu = "os.cpu_pct";
        String faults = "os.minor_faults_per_s";
        Random r = new Random(seed);
        List<Sample> samples = new ArrayList<>();
        for (int w = 0; w < 60; w++) {
            for (int p = 0; p < 5; p++) {
                long t = w * Synthetic.WINDOW_MS;
                samples.add(new Sample(cpu, t, Synthetic.peer(p), 3 * (1 + 0.05 * r.nextGaussian()), null));
                samples.add(new Sample(faults, t, Synthetic.peer(p), w == 30 && p == 1 ? 3 : 0, null));
                samples.add(new Sample(FILTERED, t, Synthetic.peer(p), 0, null));
            }
        }
        Profiles profiles = Trainer.train(samples, new Trainer.Request(List.of(cpu, faults, FILTERED), "os", Map.of(),
                Synthetic.WINDOW_MS, 2, VoteSettings.DEFAULTS, 0.25, 42)).profiles();
        assertThat(profiles.normaliser().scale()[1]).as("page faults' scale").isEqualTo(Trainer.SPARSE_MIN_SCALE);
        assertThat(profiles.normaliser().scale()[2]).as("the held fault rate's scale").isEqualTo(Normaliser.MIN_SCALE);

        assertThat(indictedAt(profiles, w -> w >= 20 && w <= 22 ? 16 : 0)).as("16 page faults a second, three windows running").isEmpty();
        List<Integer> leak = indictedAt(profiles, w -> w >= 20 ? 5000 : 0);
        assertThat(leak).as("a leak from window 20").hasSize(1);
        assertThat(leak.getFirst()).isBetween(20, 20 + DiagnoserTest.BOUND - 1);
    }

    /** The windows at which peer 0 of 5 steady peers is indicted when its page faults a second are {@code faultsIn(window)}. */
    private static List<Integer> indictedAt(Profiles profiles, IntToDoubleFunction faultsIn) {
        Diagnoser d = new Diagnoser(profiles, group(5));
        List<Integer> at = new ArrayList<>();
        for (int w = 0; w < 40; w++) {
            Map<String, double[]> vectors = new java.util.TreeMap<>();
            group(5).forEach(p -> vectors.put(p, new double[]{3, 0, 0}));
            vectors.put(Synthetic.peer(0), new double[]{3, faultsIn.applyAsDouble(w), 0});
            Verdict v = d.step(w * Synthetic.WINDOW_MS, vectors);
            if (!v.indicted().isEmpty()) {
                assertThat(v.indicted()).extracting(Indictment::peer).containsExactly(Synthetic.peer(0));
                assertThat(v.indicted().getFirst().metric()).isEqualTo("os.minor_faults_per_s");
                at.add(w);
            }
        }
        return at;
    }

    /** The raw vector whose normalised values are {@code normalised}. */
    private static double[] raw(Profiles profiles, double[] normalised) {
        Normaliser n = profiles.normaliser();
        double[] raw = new double[normalised.length];
        for (int m = 0; m < raw.length; m++) {
            raw[m] = Math.expm1(n.centre()[m] + normalised[m] * n.scale()[m]);
        }
        return raw;
    }

    private static List<String> group(int peers) {
        List<String> group = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
            group.add(Synthetic.peer(i));
        }
        return group;
    }

    private static List<Windows.Window> windows(Profiles profiles, List<Sample> samples) {
        Windows w = new Windows(profiles.metrics(), Synthetic.WINDOW_MS);
        samples.forEach(s -> w.add(s.service(), s.metric(), s.time(), s.value()));
        return w.close(samples.getLast().time() + Synthetic.WINDOW_MS);
    }
}
