package dev.d2r2.diagnosis;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class DiagnoserTest {
    /** Warm-up, then a fault: indicted within this many windows of its start (the default decay, 2 consecutive). */
    static final int BOUND = 3;

    private static List<String> group(int n) {
        List<String> g = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            g.add(Synthetic.peer(i));
        }
        return g;
    }

    @Property(tries = 40)
    void theTrainingDataIndictsNobody(@ForAll @IntRange(min = 3, max = 7) int peers, @ForAll @IntRange(min = 2, max = 5) int k,
                                      @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Synthetic data = new Synthetic(peers, seed, 0.03);
        Trainer.Training t = Trainer.train(data.samples(60, -1, 0), Synthetic.request(k));
        Diagnoser d = new Diagnoser(t.profiles(), group(peers));
        for (Windows.Window w : Synthetic.windows(data.samples(60, -1, 0))) {
            assertThat(d.step(w.end(), w.vectors()).indicted()).isEmpty();
        }
        assertThat(t.profiles().threshold()).isGreaterThan(t.largestDistance());
    }

    @Property(tries = 40)
    void aCulpritFromAnotherDistributionIsIndictedWithinTheBoundAndAloneThenCleared(
            @ForAll @IntRange(min = 3, max = 7) int peers, @ForAll @IntRange(min = 2, max = 5) int k,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed, @ForAll @DoubleRange(min = 100, max = 400) double burden) {
        Synthetic data = new Synthetic(peers, seed, 0.03);
        Trainer.Training t = Trainer.train(data.samples(60, -1, 0), Synthetic.request(k));
        int faultFrom = 10;
        int faultTo = 20;
        Diagnoser d = new Diagnoser(t.profiles(), group(peers));
        List<Windows.Window> live = Synthetic.windows(new Synthetic(peers, seed + 1, 0.03).samples(faultTo, faultFrom, burden));
        List<Windows.Window> healed = Synthetic.windows(new Synthetic(peers, seed + 2, 0.03).samples(15, -1, 0));
        int indictedAt = -1;
        for (int w = 0; w < live.size(); w++) {
            Verdict v = d.step(live.get(w).end(), live.get(w).vectors());
            if (!v.indicted().isEmpty()) {
                assertThat(v.indicted()).extracting(Indictment::peer).containsExactly("s1");
                assertThat(v.indicted().getFirst().metric()).isEqualTo("os.cpu_user_pct");
                indictedAt = indictedAt < 0 ? w : indictedAt;
            }
        }
        assertThat(indictedAt).as("indicted at window").isBetween(faultFrom, faultFrom + BOUND - 1);
        List<String> cleared = new ArrayList<>();
        for (Windows.Window w : healed) {
            Verdict v = d.step(w.end() + faultTo * Synthetic.WINDOW_MS, w.vectors());
            assertThat(v.indicted()).isEmpty();
            cleared.addAll(v.cleared());
        }
        assertThat(cleared).containsExactly("s1");
        assertThat(d.indicted()).isEmpty();
    }

    @Property(tries = 40)
    void identicalPeersAreNeverIndicted(@ForAll @IntRange(min = 3, max = 9) int peers, @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Synthetic data = new Synthetic(1, seed, 0.3);
        Trainer.Training t = Trainer.train(new Synthetic(3, seed, 0.03).samples(40, -1, 0), Synthetic.request(3));
        Diagnoser d = new Diagnoser(t.profiles(), group(peers));
        for (Windows.Window w : Synthetic.windows(data.samples(50, 5, 1000))) {
            double[] one = w.vectors().get("s1");
            Map<String, double[]> all = new TreeMap<>();
            for (String p : group(peers)) {
                all.put(p, one);
            }
            Verdict v = d.step(w.end(), all);
            assertThat(v.indicted()).isEmpty();
            for (double[] row : v.distances()) {
                for (double x : row) {
                    assertThat(x).isZero();
                }
            }
        }
    }

    @Property(tries = 20)
    void fewerThanThreePeersCannotVote(@ForAll @IntRange(min = 1, max = 2) int peers, @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        Trainer.Training t = Trainer.train(new Synthetic(3, seed, 0.03).samples(40, -1, 0), Synthetic.request(3));
        Diagnoser d = new Diagnoser(t.profiles(), group(3));
        for (Windows.Window w : Synthetic.windows(new Synthetic(peers, seed, 0.03).samples(20, 3, 1000))) {
            Verdict v = d.step(w.end(), w.vectors());
            assertThat(v.cannotVote()).contains("at least 3");
            assertThat(v.missing()).hasSize(3 - peers);
            assertThat(v.indicted()).isEmpty();
        }
    }
}
