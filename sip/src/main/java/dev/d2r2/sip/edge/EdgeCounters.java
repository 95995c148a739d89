package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.Verdict;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge's counters, incremented from any thread without a lock or an allocation: one slot per
 * {@link EdgeCounter}, one per status the edge answers with, and one per codec drop reason (a
 * closed set of constant {@link Verdict}s, named once when first seen). Per backend, its
 * dialogs started are counted on the {@link Backend}.
 */
final class EdgeCounters {
    private static final EdgeCounter[] ALL = EdgeCounter.values();
    private final LongAdder[] fixed = new LongAdder[ALL.length];
    private final LongAdder[] answered = new LongAdder[700];
    private final Map<String, Drop> drops = new ConcurrentHashMap<>();

    private record Drop(String label, LongAdder count) {
    }

    EdgeCounters() {
        for (int i = 0; i < fixed.length; i++) {
            fixed[i] = new LongAdder();
        }
        for (int i = 0; i < answered.length; i++) {
            answered[i] = new LongAdder();
        }
    }

    void count(EdgeCounter c) {
        fixed[c.ordinal()].increment();
    }

    void answered(int status) {
        answered[status].increment();
    }

    /** A message the codec's checks dropped, by the verdict's reason. */
    void dropped(Verdict v) {
        Drop d = drops.get(v.why());
        if (d == null) {
            d = drops.computeIfAbsent(v.why(), why -> new Drop("dropped." + why.replace(' ', '_'), new LongAdder()));
        }
        d.count().increment();
    }

    long get(EdgeCounter c) {
        return fixed[c.ordinal()].sum();
    }

    /** The counts so far by name, those still at zero left out. */
    Map<String, Long> snapshot(Iterable<Backend> backends) {
        Map<String, Long> m = new TreeMap<>();
        for (EdgeCounter c : ALL) {
            put(m, c.label(), fixed[c.ordinal()].sum());
        }
        for (int s = 0; s < answered.length; s++) {
            long n = answered[s].sum();
            if (n > 0) {
                put(m, "answered." + s, n);
            }
        }
        drops.values().forEach(d -> put(m, d.label(), d.count().sum()));
        for (Backend b : backends) {
            put(m, EdgeCounter.DIALOGS_STARTED.label() + "." + b.id(), b.dialogsStarted.sum());
        }
        return m;
    }

    private static void put(Map<String, Long> m, String name, long n) {
        if (n > 0) {
            m.merge(name, n, Long::sum);
        }
    }
}
