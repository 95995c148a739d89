package dev.d2r2.diagnosis;

import dev.d2r2.monitor.events.Sample;
import dev.d2r2.monitor.probe.OsProbe;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Learns profiles from fault-free samples: the window vectors of every peer, normalised, are
 * clustered into K profiles by k-means++ (commons-math3); the same windows are then replayed
 * through the vote, and the threshold is set above the smallest one under which the replay
 * indicts nobody (by {@code margin}, relative, and at least {@link #MIN_GAP} absolute), and
 * above the distance a single odd window makes ({@link #oneWindowAway}).
 */
public final class Trainer {
    /** The threshold is at least this far above the largest distance seen in training. */
    public static final double MIN_GAP = 0.05;
    private static final int MAX_ITERATIONS = 200;
    /** The quantile of healthy peers' differences the spread is read from, and that quantile's z among |normal| values. */
    static final double SPREAD_QUANTILE = 0.9;
    private static final double SPREAD_Z = 1.6449;
    /** Pairs of peer-windows the spread is read from at most. */
    static final int MAX_DIFFERENCES = 200_000;
    /** The default metric set keeps the rates that were not zero in at least this share of their samples. */
    static final double MIN_DENSITY = 0.5;
    /**
     * The least scale, in {@code log1p} units, of a rate that is zero in most healthy windows and not held: the vote's
     * effect floor of 3 then asks for about 19 events a second more than the other peers (e^3 − 1), where a leak or a disk
     * hog makes thousands.
     */
    static final double SPARSE_MIN_SCALE = 1.0;

    private Trainer() {
    }

    /**
     * @param metrics   the metric set; empty: every rate ({@code _per_s}, {@code _pct}) of {@code prefix} that every peer reports
     * @param groups    the peers voting together; empty: all the peers of the samples form one group
     */
    public record Request(List<String> metrics, String prefix, Map<String, List<String>> groups, long windowMs, int k,
                          VoteSettings vote, double margin, long seed) {
    }

    /**
     * The profiles, and what the report shows: among them the largest deciding distance of the
     * training replay and the distance one odd window makes, the two bounds of the threshold.
     */
    public record Training(Profiles profiles, double largestDistance, double oneOddWindow, int windows, int vectors,
                           Map<String, List<String>> groups) {
    }

    public static Training train(List<Sample> samples, Request req) {
        List<String> metrics = req.metrics().isEmpty() ? rates(samples, req.prefix()) : req.metrics();
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("no metric of prefix " + req.prefix() + " is reported by every peer");
        }
        Windows windows = new Windows(metrics, req.windowMs());
        long last = Long.MIN_VALUE;
        for (Sample s : samples) {
            if (windows.wants(s.metric())) {
                windows.add(s.service(), s.metric(), s.time(), s.value());
                last = Math.max(last, s.time());
            }
        }
        // the last window may be cut short by the end of the recording: leave it out
        List<Windows.Window> closed = last == Long.MIN_VALUE ? List.of() : windows.close(last);
        List<DoublePoint> points = new ArrayList<>();
        List<double[]> raw = new ArrayList<>();
        closed.forEach(w -> raw.addAll(w.vectors().values()));
        if (raw.size() < req.k()) {
            throw new IllegalArgumentException("only " + raw.size() + " complete peer-windows for k = " + req.k()
                    + ": record longer or use a shorter window");
        }
        boolean[] held = held(metrics, req.prefix(), raw);
        Normaliser normaliser = Normaliser.fit(raw, leastScales(held, raw));
        raw.forEach(v -> points.add(new DoublePoint(normaliser.apply(v))));
        KMeansPlusPlusClusterer<DoublePoint> clusterer = new KMeansPlusPlusClusterer<>(req.k(), MAX_ITERATIONS,
                new EuclideanDistance(), new JDKRandomGenerator((int) req.seed()));
        List<CentroidCluster<DoublePoint>> clusters = clusterer.cluster(points);
        double[][] centroids = new double[clusters.size()][];
        long[] sizes = new long[clusters.size()];
        for (int i = 0; i < centroids.length; i++) {
            centroids[i] = clusters.get(i).getCenter().getPoint();
            sizes[i] = clusters.get(i).getPoints().size();
        }
        double[] low = new double[metrics.size()];
        double[] high = new double[metrics.size()];
        java.util.Arrays.fill(low, Double.MAX_VALUE);
        java.util.Arrays.fill(high, -Double.MAX_VALUE);
        for (DoublePoint x : points) {
            for (int m = 0; m < low.length; m++) {
                low[m] = Math.min(low[m], x.getPoint()[m]);
                high[m] = Math.max(high[m], x.getPoint()[m]);
            }
        }
        Map<String, List<String>> groups = req.groups().isEmpty() ? Map.of("all", peers(closed)) : req.groups();
        Profiles unbounded = new Profiles(metrics, req.windowMs(), normaliser, centroids, sizes, low, high, held,
                spread(normaliser, closed, groups), 1.0, req.vote());
        double largest = largestDecidingDistance(unbounded, closed, groups);
        double oneOdd = oneWindowAway(unbounded);
        double threshold = Math.min(1.0, Math.max(Math.max(largest * (1 + req.margin()), largest + MIN_GAP), oneOdd + MIN_GAP));
        return new Training(unbounded.withThreshold(threshold), largest, oneOdd, closed.size(), raw.size(), groups);
    }

    /**
     * Per metric, how far apart two healthy peers of a group are in one window, in normalised units: the
     * {@link #SPREAD_QUANTILE} quantile of the differences of every two peers of a group in every window, as the standard
     * deviation that quantile would have among normally distributed differences; at least {@link Profiles#MIN_SPREAD}.
     * The vote's effect is measured in it, so that a metric that moves with how many calls a peer happened to get in a
     * window (packets, context switches: at 20 calls a second a quiet second has half of them) needs a larger difference
     * than one that holds still. A quantile rather than the standard deviation, as a few bursts of a short recording would
     * set that; past {@link #MAX_DIFFERENCES} pairs, every n-th pair is kept.
     */
    static double[] spread(Normaliser normaliser, List<Windows.Window> windows, Map<String, List<String>> groups) {
        int metrics = normaliser.dimensions();
        long pairs = 0;
        for (Windows.Window w : windows) {
            for (List<String> members : groups.values()) {
                long n = members.stream().filter(w.vectors()::containsKey).count();
                pairs += n * (n - 1) / 2;
            }
        }
        long stride = Math.max(1, (pairs + MAX_DIFFERENCES - 1) / MAX_DIFFERENCES);
        List<double[]> differences = new ArrayList<>();
        long pair = 0;
        for (Windows.Window w : windows) {
            for (List<String> members : groups.values()) {
                List<double[]> present = members.stream().filter(w.vectors()::containsKey)
                        .map(peer -> normaliser.apply(w.vectors().get(peer))).toList();
                for (int i = 0; i < present.size(); i++) {
                    for (int j = i + 1; j < present.size(); j++) {
                        if (pair++ % stride == 0) {
                            double[] d = new double[metrics];
                            for (int m = 0; m < metrics; m++) {
                                d[m] = Math.abs(present.get(i)[m] - present.get(j)[m]);
                            }
                            differences.add(d);
                        }
                    }
                }
            }
        }
        double[] spread = new double[metrics];
        double[] column = new double[differences.size()];
        for (int m = 0; m < metrics; m++) {
            for (int i = 0; i < column.length; i++) {
                column[i] = differences.get(i)[m];
            }
            double q = column.length == 0 ? 0 : new Percentile().evaluate(column, SPREAD_QUANTILE * 100);
            spread[m] = Math.max(Profiles.MIN_SPREAD, q / SPREAD_Z);
        }
        return spread;
    }

    /**
     * The distance one window unlike every profile puts between a healthy peer and itself: its
     * histogram at steady state with that window added, against the same without. The threshold
     * stays above it, so that one odd window of a peer among steady peers is not a suspect one: a
     * burst as long as {@code consecutive} windows (a collection pause, a hiccup of the machine)
     * gives one suspect window fewer than an indictment needs, while a fault that lasts one window
     * longer is indicted. Training, short, may see no such burst; this bound does not depend on
     * seeing one. (Peers that move together, meanwhile, to a profile they were seldom in are
     * farther from the odd one: there the bound is not enough.)
     */
    static double oneWindowAway(Profiles profiles) {
        double[] steady = Diagnoser.prior(profiles);
        DecayedHistogram odd = new DecayedHistogram(steady, profiles.vote().decay());
        odd.add(profiles.k());
        return Jsd.sqrtJsd(odd.counts(), steady);
    }

    /**
     * The smallest threshold under which the vote indicts nobody on these windows: a peer is
     * indicted after {@code consecutive} suspect windows in a row, each with its effect at the
     * floor and its deciding distance above the threshold, so over every such run of windows the
     * smallest deciding distance, and of those the largest. (Requiring instead that no single
     * window be suspect would count the consecutive windows twice: once in the threshold, once in
     * the vote, and delay every indictment.)
     */
    static double largestDecidingDistance(Profiles profiles, List<Windows.Window> windows, Map<String, List<String>> groups) {
        int run = profiles.vote().consecutive();
        double largest = 0;
        for (List<String> members : groups.values()) {
            Diagnoser d = new Diagnoser(profiles, members);
            Set<String> in = new TreeSet<>(members);
            Map<String, Deque<Double>> recent = new HashMap<>();
            for (Windows.Window w : windows) {
                Map<String, double[]> mine = new TreeMap<>();
                w.vectors().forEach((peer, v) -> {
                    if (in.contains(peer)) {
                        mine.put(peer, v);
                    }
                });
                Verdict v = d.step(w.end(), mine);
                for (int i = 0; i < v.critical().length; i++) {
                    // as in the vote, a window a peer misses neither counts nor breaks its run
                    Deque<Double> last = recent.computeIfAbsent(v.voters().get(i), p -> new ArrayDeque<>());
                    if (v.effects()[i] < profiles.vote().effectFloor()) {
                        last.clear();
                        continue;
                    }
                    last.addLast(v.critical()[i]);
                    if (last.size() > run) {
                        last.removeFirst();
                    }
                    if (last.size() == run) {
                        largest = Math.max(largest, last.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
                    }
                }
            }
        }
        return largest;
    }

    /**
     * The metrics the vote holds ({@link Hold}): the {@code os} probe's {@link OsProbe#FAULT_RATES} —
     * packets a firewall dropped, time a CPU quota held the peer back — when they were zero in most
     * training windows. They count a rule's actions, which a healthy peer has none of, and a fault
     * may show in them as a few events a second: some windows have none. Other rates zero in most
     * windows (page faults, disk writes) are a healthy peer's own bursts: held, two bursts close
     * together would pass for a fault.
     */
    static boolean[] held(List<String> metrics, String prefix, List<double[]> raw) {
        boolean[] held = new boolean[metrics.size()];
        for (int m = 0; m < held.length; m++) {
            held[m] = metrics.get(m).startsWith(prefix + ".") && OsProbe.FAULT_RATES.contains(metrics.get(m).substring(prefix.length() + 1))
                    && mostlyZero(raw, m);
        }
        return held;
    }

    /**
     * Per metric, the least scale of the {@link Normaliser}: {@link #SPARSE_MIN_SCALE} for a rate zero in most training
     * windows that the vote does not hold — page faults, disk writes: a healthy JVM's rare bursts of a few to a few tens of
     * events (a code cache or a thread stack growing by some pages). Near zero, {@code log1p} counts events rather than
     * factors, so {@link Normaliser#MIN_SCALE} would make a burst of 16 page faults eleven units off, an effect far above
     * the vote's floor (one indicted a healthy server so). The held fault rates keep {@link Normaliser#MIN_SCALE}: there two
     * events in a window are the fault.
     */
    static double[] leastScales(boolean[] held, List<double[]> raw) {
        double[] least = new double[held.length];
        for (int m = 0; m < least.length; m++) {
            least[m] = !held[m] && mostlyZero(raw, m) ? SPARSE_MIN_SCALE : Normaliser.MIN_SCALE;
        }
        return least;
    }

    /** True when metric {@code m} is not zero in fewer than {@link #MIN_DENSITY} of the training vectors. */
    private static boolean mostlyZero(List<double[]> raw, int m) {
        return raw.stream().filter(v -> v[m] != 0).count() < MIN_DENSITY * raw.size();
    }

    private static List<String> peers(Collection<Windows.Window> windows) {
        Set<String> all = new TreeSet<>();
        windows.forEach(w -> all.addAll(w.vectors().keySet()));
        return List.copyOf(all);
    }

    /**
     * The rates of the prefix that every peer reported and that were not zero in at least
     * {@link #MIN_DENSITY} of their samples: a metric that is mostly zero (major faults, disk reads
     * served from the page cache) jumps at random and would tell the peers apart by chance. The
     * {@code os} probe's {@link OsProbe#FAULT_RATES} are kept whenever every peer reported them: zero
     * in health, they do not jump, and a lowered CPU quota or a firewall's drops show in nothing else.
     */
    static List<String> rates(List<Sample> samples, String prefix) {
        Map<String, Set<String>> peersOf = new TreeMap<>();
        Map<String, long[]> nonZero = new HashMap<>();
        Set<String> peers = new TreeSet<>();
        for (Sample s : samples) {
            peers.add(s.service());
            String m = s.metric();
            if (m.startsWith(prefix + ".") && (m.endsWith("_per_s") || m.endsWith("_pct"))) {
                peersOf.computeIfAbsent(m, x -> new TreeSet<>()).add(s.service());
                long[] c = nonZero.computeIfAbsent(m, x -> new long[2]);
                c[0] += s.value() != 0 ? 1 : 0;
                c[1]++;
            }
        }
        return peersOf.keySet().stream().filter(m -> peersOf.get(m).size() == peers.size()
                && (nonZero.get(m)[0] >= MIN_DENSITY * nonZero.get(m)[1]
                || OsProbe.FAULT_RATES.contains(m.substring(prefix.length() + 1)))).toList();
    }
}
