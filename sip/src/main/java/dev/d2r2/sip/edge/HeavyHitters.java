package dev.d2r2.sip.edge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Space-Saving sketch (Metwally, Agrawal, El Abbadi): the heaviest keys of a stream in
 * {@code capacity} counters, whatever the number of distinct keys. A key not tracked takes over
 * the smallest counter, inheriting its count as an over-estimate ({@code error}); any key seen
 * more than total/capacity times is guaranteed to be tracked.
 */
final class HeavyHitters<K> {
    /** A tracked key: its estimated count, and by how much that may overcount. */
    record Hitter<K>(K key, long count, long error) {
    }

    private static final class Slot<K> {
        K key;
        long count;
        long error;
    }

    private final int capacity;
    private final Map<K, Slot<K>> slots;
    private long total;

    HeavyHitters(int capacity) {
        this.capacity = capacity;
        this.slots = new HashMap<>(capacity * 2);
    }

    void add(K key) {
        total++;
        Slot<K> s = slots.get(key);
        if (s != null) {
            s.count++;
            return;
        }
        if (slots.size() < capacity) {
            s = new Slot<>();
            s.key = key;
            s.count = 1;
            slots.put(key, s);
            return;
        }
        Slot<K> min = null;
        for (Slot<K> x : slots.values()) {
            if (min == null || x.count < min.count) {
                min = x;
            }
        }
        slots.remove(min.key);
        min.error = min.count;
        min.count++;
        min.key = key;
        slots.put(key, min);
    }

    long total() {
        return total;
    }

    /** Distinct keys tracked: all the distinct keys seen, up to the capacity. */
    int tracked() {
        return slots.size();
    }

    /** The {@code n} heaviest, heaviest first. */
    List<Hitter<K>> top(int n) {
        List<Hitter<K>> all = new ArrayList<>(slots.size());
        slots.values().forEach(s -> all.add(new Hitter<>(s.key, s.count, s.error)));
        all.sort((a, b) -> Long.compare(b.count(), a.count()));
        return all.subList(0, Math.min(n, all.size()));
    }
}
