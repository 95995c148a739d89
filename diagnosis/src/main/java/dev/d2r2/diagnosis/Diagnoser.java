package dev.d2r2.diagnosis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Peer-similarity diagnosis of one group, window by window (TRONE §V, after Ganesha): each peer's
 * vector goes to its nearest profile, into the peer's decayed histogram; every pair of voters gets
 * the √JSD of their histograms; a peer far from a majority of the others, with an absolute effect
 * above the floor, for enough consecutive windows, is indicted; it is cleared after enough windows
 * that are not. Not thread-safe: one agent owns it.
 */
public final class Diagnoser {
    private final Profiles profiles;
    private final VoteSettings vote;
    private final double threshold;
    private final Map<String, Peer> peers = new TreeMap<>();
    /**
     * Every peer's histogram starts as a healthy peer's at steady state: the training shares of
     * the profiles, at the mass decay leads to (none "like no profile"). Started empty, two peers'
     * first few windows would be histograms of one to three draws, far apart by chance: the
     * training threshold, the largest distance between healthy peers, would be set by those
     * first windows rather than by peers in their steady state, and every culprit would need
     * several more windows to exceed it.
     */
    private final double[] prior;

    private final class Peer {
        final String name;
        final DecayedHistogram histogram = new DecayedHistogram(prior, vote.decay());
        final Hold hold = new Hold(profiles.held(), vote.consecutive());
        /**
         * This window's normalised vector, its fault rates held: the effect is judged on what the peer
         * does now, the distance on its history.
         */
        final double[] now = new double[profiles.metrics().size()];
        /** The vector of the peer's window before, for {@link #difference}; null until it has one. */
        double[] before;
        int windows;
        int suspect;
        int calm;
        boolean indicted;

        Peer(String name) {
            this.name = name;
        }

        void observe(double[] raw) {
            if (windows > 0) {
                before = before == null ? now.clone() : copy(now, before);
            }
            profiles.normaliser().apply(hold.apply(raw), now);
            histogram.add(profiles.nearest(now));
            windows++;
        }
    }

    /** {@code expected}: the group's peers from configuration (they count as missing until seen); others join when first seen. */
    public Diagnoser(Profiles profiles, Collection<String> expected) {
        this.profiles = profiles;
        this.vote = profiles.vote();
        this.threshold = profiles.threshold();
        this.prior = prior(profiles);
        expected.forEach(p -> peers.put(p, new Peer(p)));
    }

    /** A healthy peer's histogram at steady state: the training shares of the profiles at the mass decay leads to. */
    static double[] prior(Profiles profiles) {
        double[] prior = new double[profiles.bins()];
        double total = Arrays.stream(profiles.sizes()).sum();
        for (int k = 0; k < profiles.k(); k++) {
            prior[k] = total == 0 ? 0 : profiles.sizes()[k] / total * DecayedHistogram.steadyMass(profiles.vote().decay());
        }
        return prior;
    }

    /** The peers indicted now. */
    public Set<String> indicted() {
        Set<String> out = new TreeSet<>();
        peers.values().stream().filter(p -> p.indicted).forEach(p -> out.add(p.name));
        return out;
    }

    /** One window: {@code vectors} are the raw metric vectors (in the profiles' metric order) of the peers that have one. */
    public Verdict step(long time, Map<String, double[]> vectors) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, double[]> v : vectors.entrySet()) {
            peers.computeIfAbsent(v.getKey(), Peer::new).observe(v.getValue());
        }
        List<Peer> voters = new ArrayList<>();
        for (Peer p : peers.values()) {
            if (!vectors.containsKey(p.name)) {
                missing.add(p.name);
            } else if (p.windows >= vote.warmup()) {
                voters.add(p);
            }
        }
        int n = voters.size();
        if (n < VoteSettings.MIN_PEERS) {
            String why = n + " peer" + (n == 1 ? "" : "s") + " can vote (" + peers.size() + " known, " + missing.size()
                    + " missing this window, the rest warming up); at least " + VoteSettings.MIN_PEERS + " are needed";
            return new Verdict(time, names(voters), new double[n][n], new double[n], new double[n], new double[n][], List.of(), List.of(),
                    missing, why);
        }
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                d[i][j] = d[j][i] = Jsd.sqrtJsd(voters.get(i).histogram.counts(), voters.get(j).histogram.counts());
            }
        }
        double[] critical = new double[n];
        double[] effects = new double[n];
        int[] votes = new int[n];
        boolean[] deviant = new boolean[n];
        for (int i = 0; i < n; i++) {
            critical[i] = judge(i, d, deviant, votes);
        }
        // The farthest peers are judged first, and one found deviant no longer votes on the rest (at most
        // half can be deviant): with four peers a culprit would be one of the two votes a healthy peer
        // needs, and chance could give the other.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(critical[b], critical[a]));
        int deviants = 0;
        List<Indictment> indicted = new ArrayList<>();
        List<String> cleared = new ArrayList<>();
        for (int i : order) {
            Peer p = voters.get(i);
            critical[i] = judge(i, d, deviant, votes);
            int need = need(n - 1 - deviants);
            Effect effect = effect(p, voters, deviant, need);
            effects[i] = effect.size;
            if (critical[i] > threshold && effect.size >= vote.effectFloor() && 2 * (deviants + 1) <= n) {
                deviant[i] = true;
                deviants++;
                p.suspect++;
                p.calm = 0;
                if (!p.indicted && p.suspect >= vote.consecutive()) {
                    p.indicted = true;
                    indicted.add(new Indictment(p.name, critical[i], votes[i], n, effect.size, effect.metric, p.suspect));
                }
            } else {
                p.suspect = 0;
                p.calm++;
                if (p.indicted && p.calm >= vote.clearAfter()) {
                    p.indicted = false;
                    cleared.add(p.name);
                }
            }
        }
        double[][] histograms = voters.stream().map(p -> p.histogram.distribution()).toArray(double[][]::new);
        return new Verdict(time, names(voters), d, critical, effects, histograms, indicted, cleared, missing, null);
    }

    private record Effect(double size, String metric) {
    }

    /** A peer is suspect when more than half of the voters it is judged by are farther than the threshold. */
    private static int need(int judges) {
        return judges / 2 + 1;
    }

    /**
     * Peer {@code i}'s critical distance: of its distances to the voters not found deviant, the
     * {@code need}-th largest (above the threshold iff a majority of them are far); counts those
     * far ones into {@code votes[i]}.
     */
    private double judge(int i, double[][] d, boolean[] deviant, int[] votes) {
        double[] others = new double[d.length];
        int o = 0;
        for (int j = 0; j < d.length; j++) {
            if (j != i && !deviant[j]) {
                others[o++] = d[i][j];
            }
        }
        Arrays.sort(others, 0, o);
        votes[i] = 0;
        for (int j = 0; j < o; j++) {
            if (others[j] > threshold) {
                votes[i]++;
            }
        }
        return others[o - need(o)];
    }

    /**
     * How different the peer is, in absolute terms, from a majority of the voters it is judged by:
     * per such voter the largest {@link #difference} over metrics, each in units of that metric's
     * healthy spread ({@link Profiles#spread}), and of those the {@code need}-th largest, so one
     * deviant peer does not lend its size to the others.
     */
    private Effect effect(Peer p, List<Peer> voters, boolean[] deviant, int need) {
        double[] sizes = new double[voters.size()];
        int[] metrics = new int[sizes.length];
        int o = 0;
        for (int v = 0; v < voters.size(); v++) {
            Peer q = voters.get(v);
            if (q == p || deviant[v]) {
                continue;
            }
            for (int m = 0; m < p.now.length; m++) {
                double diff = difference(p, q, m) / profiles.spread()[m];
                if (diff >= sizes[o]) {
                    sizes[o] = diff;
                    metrics[o] = m;
                }
            }
            o++;
        }
        Integer[] order = new Integer[o];
        for (int i = 0; i < o; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(sizes[b], sizes[a]));
        int pick = order[need - 1];
        return new Effect(sizes[pick], profiles.metrics().get(metrics[pick]));
    }

    /**
     * How far peer {@code p} is from voter {@code q} in metric {@code m} now: from what {@code q} did
     * in this window or in its window before, whichever is nearer. Peers' samplers are not in step,
     * so something every peer does at once — the kernel writing back every JVM's dirty pages in one
     * pass, a burst of load — can fall in one window for most peers and in the next for one. Judged
     * window by window, that one would differ twice running, in opposite directions: a spell of
     * two odd windows that was seen to indict a healthy server. A peer that differs from what the
     * others do and did is judged as before, so a fault is not delayed.
     */
    private static double difference(Peer p, Peer q, int m) {
        double d = Math.abs(p.now[m] - q.now[m]);
        return q.before == null ? d : Math.min(d, Math.abs(p.now[m] - q.before[m]));
    }

    private static double[] copy(double[] from, double[] to) {
        System.arraycopy(from, 0, to, 0, from.length);
        return to;
    }

    private static List<String> names(List<Peer> ps) {
        return ps.stream().map(p -> p.name).toList();
    }
}
