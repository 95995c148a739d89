package dev.d2r2.diagnosis;

import dev.d2r2.monitor.events.Sample;
import net.jqwik.api.Example;
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
    /**
     * The two properties on noisy detection hold for about 1,999 of 2,000 random draws (10,000 tries
     * each, 2026-12-07): the rest are a burst of noise just above the effect floor for two windows, or
     * a live load outside the training's range that delays an indictment by a window. A fixed seed
     * keeps CI from failing on that chance; remove it to explore.
     */
    static final String STATISTICAL_SEED = "20261207";

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

    @Property(tries = 40, seed = STATISTICAL_SEED)
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

    /**
     * Healthy peers that each wander between the profiles (their own noise, under a steady load)
     * are the hard case: their histograms differ by chance, and the threshold must sit above that.
     * A fresh fault-free run indicts nobody; then one peer shifted out of the training range is
     * indicted within the bound of its first window.
     */
    @Property(tries = 40, seed = STATISTICAL_SEED)
    void amongNoisyPeersAShiftedOneIsIndictedWithinTheBoundAndAFaultFreeRunIndictsNobody(
            @ForAll @IntRange(min = 4, max = 7) int peers, @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @DoubleRange(min = 20, max = 200) double burden) {
        Trainer.Training t = Trainer.train(Synthetic.noisy(peers, seed).samples(60, -1, 0), Synthetic.request(3));
        Diagnoser d = new Diagnoser(t.profiles(), group(peers));
        int faultFrom = 120;
        // one run, so that its bursts stay apart where the fault begins
        List<Windows.Window> run = Synthetic.windows(Synthetic.noisy(peers, seed + 1).samples(faultFrom + BOUND, faultFrom, burden));
        List<String> indicted = new ArrayList<>();
        for (int w = 0; w < run.size(); w++) {
            Verdict v = d.step(run.get(w).end(), run.get(w).vectors());
            if (w < faultFrom) {
                assertThat(v.indicted()).as("fault-free").isEmpty();
            }
            v.indicted().forEach(i -> indicted.add(i.peer()));
        }
        assertThat(indicted).as("within " + BOUND + " windows, threshold " + t.profiles().threshold()).containsExactly("s1");
    }

    /**
     * Of four peers, a culprit is one of the two votes a healthy peer needs, so chance could give the
     * other, here the bursts of s2 and s4 while s1 is shifted: a peer found deviant does not vote on
     * the peers judged after it. (This draw indicted s2 and s4 with s1 before that rule.)
     */
    @Example
    void aCulpritDoesNotVoteOutTheHealthyPeersOfASmallGroup() {
        long seed = 44855;
        Trainer.Training t = Trainer.train(Synthetic.noisy(4, seed).samples(60, -1, 0), Synthetic.request(3));
        Diagnoser d = new Diagnoser(t.profiles(), group(4));
        Synthetic.windows(Synthetic.noisy(4, seed + 1).samples(120, -1, 0)).forEach(w -> d.step(w.end(), w.vectors()));
        List<String> indicted = new ArrayList<>();
        // the fault added by hand, so that the other peers' bursts go on as they were drawn
        for (Windows.Window w : Synthetic.windows(Synthetic.noisy(4, seed + 2).samples(BOUND, -1, 0))) {
            w.vectors().get("s1")[0] += 20;
            d.step(w.end() + 120 * Synthetic.WINDOW_MS, w.vectors()).indicted().forEach(i -> indicted.add(i.peer()));
        }
        assertThat(indicted).containsExactly("s1");
    }

    /**
     * The threshold stays above the distance one odd window puts between a peer and its steady
     * peers, so an odd spell as long as the consecutive windows the vote needs (a pause, a hiccup)
     * is not indicted, and a spell one window longer is, at its last window. (Peers that move
     * together to a profile they have seldom been in meanwhile are farther from the odd one: the
     * bound holds for steady peers.)
     */
    @Property(tries = 40)
    void anOddSpellOfConsecutiveWindowsIsNotIndictedAndOneWindowLongerIs(@ForAll @IntRange(min = 3, max = 7) int peers,
            @ForAll @IntRange(min = 2, max = 5) int k, @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @DoubleRange(min = 100, max = 400) double burden) {
        List<Sample> training = new Synthetic(peers, seed, 0.03).samples(60, -1, 0);
        Trainer.Training t = Trainer.train(training, Synthetic.request(k));
        assertThat(t.profiles().threshold()).isGreaterThan(Trainer.oneWindowAway(t.profiles()));
        int spell = VoteSettings.DEFAULTS.consecutive();
        double[] steady = Synthetic.windows(training).get(seed % 2 == 0 ? 0 : 1).vectors().get("s1");
        double[] odd = steady.clone();
        odd[0] += burden;
        Diagnoser d = new Diagnoser(t.profiles(), group(peers));
        List<Integer> indictedAt = new ArrayList<>();
        for (int w = 0; w < 40; w++) {
            Map<String, double[]> vectors = new TreeMap<>();
            for (String p : group(peers)) {
                vectors.put(p, steady);
            }
            if ((w >= 10 && w < 10 + spell) || (w >= 30 && w < 30 + spell + 1)) {
                vectors.put("s1", odd);
            }
            if (!d.step(w * Synthetic.WINDOW_MS, vectors).indicted().isEmpty()) {
                indictedAt.add(w);
            }
        }
        assertThat(indictedAt).as("a spell of " + spell + " windows from 10, then of " + (spell + 1) + " from 30").containsExactly(30 + spell);
    }

    /**
     * Every peer bursts every ten windows, one of them a window after the others (its sampler out
     * of step with theirs): no effect is seen in it, so nothing is suspected; a burst of that peer
     * alone still has its full effect.
     */
    @Property(tries = 40)
    void aBurstEveryPeerHasIsNoEffectInAPeerThatHasItAWindowLate(@ForAll @IntRange(min = 3, max = 7) int peers,
            @ForAll @IntRange(min = 2, max = 5) int k, @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @DoubleRange(min = 100, max = 400) double burden) {
        List<Sample> training = new Synthetic(peers, seed, 0.03).samples(60, -1, 0);
        Trainer.Training t = Trainer.train(training, Synthetic.request(k));
        double[] steady = Synthetic.windows(training).get(seed % 2 == 0 ? 0 : 1).vectors().get("s1");
        double[] burst = steady.clone();
        burst[0] += burden;
        Diagnoser d = new Diagnoser(t.profiles(), group(peers));
        for (int w = 0; w < 50; w++) {
            boolean everyone = w >= 10 && w < 40 && w % 10 == 0;
            boolean late = w >= 10 && w < 40 && w % 10 == 1;
            boolean alone = w == 45;
            Map<String, double[]> vectors = new TreeMap<>();
            for (String p : group(peers)) {
                vectors.put(p, everyone ? burst : steady);
            }
            vectors.put("s1", late || alone ? burst : steady);
            Verdict v = d.step(w * Synthetic.WINDOW_MS, vectors);
            assertThat(v.indicted()).isEmpty();
            if (w < 10) {
                continue;
            }
            double effect = v.effects()[v.voters().indexOf("s1")];
            if (alone) {
                assertThat(effect).as("window %d, s1 bursts alone", w).isGreaterThanOrEqualTo(VoteSettings.DEFAULTS.effectFloor());
            } else {
                assertThat(effect).as("window %d", w).isLessThan(VoteSettings.DEFAULTS.effectFloor());
            }
        }
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
