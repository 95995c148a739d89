package dev.d2r2.chronicle;

import dev.d2r2.chronicle.lang.ChronicleException;
import dev.d2r2.core.Event;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The incremental recognizer against {@link BruteForce} on random small chronicles and random
 * streams, in order and out of order within the lateness.
 */
class RecognizerPropertyTest {
    private static final String[] TYPES = {"A", "B", "C"};

    @Property(tries = 3000)
    void incrementalEqualsBruteForce(@ForAll long seed) throws ChronicleException {
        Random rnd = new Random(seed);
        String text = chronicle(rnd);
        Chronicle c;
        try {
            c = ChronicleCompiler.compile("random.chr", text).chronicles().getFirst();
        } catch (ChronicleException e) {
            Statistics.label("compiled").collect(false);
            return;
        }
        Statistics.label("compiled").collect(true);
        long lateness = rnd.nextInt(3) == 0 ? 3 : 0;
        List<Event> arrival = events(rnd, lateness);
        List<Event> timeOrder = new ArrayList<>(arrival);
        timeOrder.sort(Comparator.comparingLong(Event::time));

        Set<String> expected = BruteForce.recognize(c.def, timeOrder);
        Set<String> actual = new TreeSet<>();
        List<String> all = new ArrayList<>();
        Recognizer r = new Recognizer(List.of(c), new Recognizer.Options(lateness, 3_600_000), rec -> {
            String d = BruteForce.describe(rec.chronicle(), rec.events(),
                    new TreeSet<>(rec.times().entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).toList()),
                    rec.bindings());
            actual.add(d);
            all.add(d);
        });
        for (Event e : arrival) {
            r.accept(e);
        }
        r.close();
        Statistics.label("recognitions").collect(expected.isEmpty() ? "none" : "some");
        Statistics.label("recognitions").coverage(check -> check.check("some").percentage(p -> p > 10));
        Statistics.label("compiled").coverage(check -> check.check(true).percentage(p -> p > 40));
        assertThat(r.stats().late()).isZero();
        assertThat(all).as("each recognition reported once\n%s\nevents %s", text, arrival).doesNotHaveDuplicates();
        assertThat(actual).as("%s\nevents (arrival order) %s", text, arrival).isEqualTo(expected);
    }

    static String chronicle(Random rnd) {
        StringBuilder b = new StringBuilder("chronicle R {\n");
        int k = 1 + rnd.nextInt(3);
        List<String> points = new ArrayList<>();
        boolean xBound = false;
        boolean yBound = false;
        for (int i = 0; i < k; i++) {
            String point = i > 0 && rnd.nextInt(6) == 0 ? points.getFirst() : "t" + (i + 1);
            if (!points.contains(point)) {
                points.add(point);
            }
            StringBuilder p = new StringBuilder(TYPES[rnd.nextInt(TYPES.length)]);
            switch (rnd.nextInt(4)) {
                case 0 -> { p.append("[k=?x]"); xBound = true; }
                case 1 -> p.append("[k=").append(1 + rnd.nextInt(2)).append("]");
                case 2 -> p.append("[k!=2]");
                default -> { }
            }
            switch (rnd.nextInt(5)) {
                case 0 -> p.append(":(?, u)");
                case 1 -> { p.append(":(?y, d)"); yBound = true; }
                case 2 -> p.append(":(u, ?)");
                default -> { }
            }
            b.append("  event(").append(p).append(", ").append(point).append(")\n");
        }
        int constraints = rnd.nextInt(points.size() + 1);
        for (int i = 0; i < constraints && points.size() > 1; i++) {
            String a = points.get(rnd.nextInt(points.size()));
            String c = points.get(rnd.nextInt(points.size()));
            if (a.equals(c)) {
                continue;
            }
            if (rnd.nextInt(4) == 0) {
                b.append("  ").append(a).append(rnd.nextBoolean() ? " < " : " >= ").append(c).append("\n");
            } else {
                int lo = rnd.nextInt(7) - 3;
                int hi = lo + rnd.nextInt(7);
                b.append("  ").append(a).append(" - ").append(c).append(" in [").append(lo).append("ms, ").append(hi).append("ms]\n");
            }
        }
        if (rnd.nextBoolean()) {
            String start = points.get(rnd.nextInt(points.size()));
            String end;
            if (rnd.nextBoolean()) {
                end = points.get(rnd.nextInt(points.size()));
            } else {
                end = "tf";
                b.append(rnd.nextBoolean() ? "  tf > " + start + "\n" : "  tf - " + start + " in [1ms, 4ms]\n");
                if (rnd.nextBoolean() && points.size() > 1) {
                    b.append("  tf - ").append(points.getLast()).append(" in [0ms, 2ms]\n");
                }
            }
            String type = TYPES[rnd.nextInt(TYPES.length)];
            String attrs = xBound && rnd.nextBoolean() ? "[k=?x]" : rnd.nextBoolean() ? "[k=1]" : "";
            String interval = "(" + start + ", " + end + ")";
            switch (rnd.nextInt(3)) {
                case 0 -> b.append("  noevent(").append(type).append(attrs).append(rnd.nextBoolean() ? ":(?, d)" : "")
                        .append(", ").append(interval).append(")\n");
                case 1 -> {
                    int n = rnd.nextInt(3);
                    String m = rnd.nextInt(3) == 0 ? "inf" : Integer.toString(n + rnd.nextInt(3));
                    b.append("  occurs((").append(n).append(", ").append(m).append("), ").append(type).append(attrs)
                            .append(", ").append(interval).append(")\n");
                }
                default -> b.append("  hold(").append(type).append(attrs).append(":")
                        .append(yBound && rnd.nextBoolean() ? "?y" : rnd.nextBoolean() ? "u" : "d")
                        .append(", ").append(interval).append(")\n");
            }
        }
        return b.append("}\n").toString();
    }

    static List<Event> events(Random rnd, long lateness) {
        int n = rnd.nextInt(14);
        List<Event> timeOrder = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            timeOrder.add(null);
        }
        long[] jitter = new long[n];
        List<long[]> raw = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            raw.add(new long[]{rnd.nextInt(16), rnd.nextInt(3), rnd.nextInt(4), rnd.nextInt(3)});
            jitter[i] = lateness == 0 ? 0 : rnd.nextInt((int) lateness + 1);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> raw.get(i)[0] + jitter[i]));
        List<Event> arrival = new ArrayList<>();
        for (int i : order) {
            long[] r = raw.get(i);
            Map<String, Object> attrs = new HashMap<>();
            if (r[1] > 0) {
                attrs.put("k", r[1]);
            }
            String to = r[2] == 0 ? null : r[2] == 1 ? "u" : "d";
            String from = to == null || r[3] == 0 ? null : r[3] == 1 ? "u" : "d";
            arrival.add(new Event("e" + arrival.size(), TYPES[(int) (r[0] + r[3]) % 3], r[0], null, from, to, attrs));
        }
        return arrival;
    }
}
