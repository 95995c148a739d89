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
