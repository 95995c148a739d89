package dev.d2r2.diagnosis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups samples into windows of fixed length by their time ({@code [i·w, (i+1)·w)}): per window
 * and peer, the mean of each metric of the set. A peer's vector is complete when every metric had
 * a sample in the window; an incomplete one is left out (the peer is missing from that window).
 */
public final class Windows {
    private final Map<String, Integer> index = new HashMap<>();
    private final long windowMs;
    private final TreeMap<Long, Map<String, Sums>> open = new TreeMap<>();
    /** Windows before this one are closed: a sample for them is late. */
    private long firstOpen = Long.MIN_VALUE;

    /** One window's vectors by peer, and the window's end time. */
    public record Window(long end, Map<String, double[]> vectors) {
    }

    private static final class Sums {
        final double[] sum;
        final int[] count;

        Sums(int m) {
            sum = new double[m];
            count = new int[m];
        }
    }

    public Windows(List<String> metrics, long windowMs) {
        for (int i = 0; i < metrics.size(); i++) {
            index.put(metrics.get(i), i);
        }
        this.windowMs = windowMs;
    }

    /** Whether this metric is one of the set. */
    public boolean wants(String metric) {
        return index.containsKey(metric);
    }

    /** Adds a sample of the set; false if its window is already closed (a late sample). */
    public boolean add(String peer, String metric, long time, double value) {
        long w = Math.floorDiv(time, windowMs);
        if (w < firstOpen) {
            return false;
        }
        Sums s = open.computeIfAbsent(w, k -> new LinkedHashMap<>()).computeIfAbsent(peer, p -> new Sums(index.size()));
        int i = index.get(metric);
        s.sum[i] += value;
        s.count[i]++;
        return true;
    }

    /**
     * Closes every window that ends at or before {@code now}, oldest first, including empty ones
     * after the first window ever opened (a window nobody reported in is a window everyone missed).
     */
    public List<Window> close(long now) {
        long last = Math.floorDiv(now, windowMs) - 1;
        List<Window> out = new ArrayList<>();
        if (firstOpen == Long.MIN_VALUE) {
            if (open.isEmpty()) {
                return out;
            }
            firstOpen = open.firstKey();
        }
        for (long w = firstOpen; w <= last; w++) {
            Map<String, Sums> peers = open.remove(w);
            Map<String, double[]> vectors = new TreeMap<>();
            if (peers != null) {
                peers.forEach((peer, s) -> {
                    double[] v = mean(s);
                    if (v != null) {
                        vectors.put(peer, v);
                    }
                });
            }
            out.add(new Window((w + 1) * windowMs, vectors));
        }
        firstOpen = Math.max(firstOpen, last + 1);
        return out;
    }

    /** The end of the earliest window still open, or of the one {@code now} falls in. */
    public long nextEnd(long now) {
        long w = firstOpen != Long.MIN_VALUE ? firstOpen : open.isEmpty() ? Math.floorDiv(now, windowMs) : open.firstKey();
        return (w + 1) * windowMs;
    }

    private static double[] mean(Sums s) {
        double[] v = new double[s.sum.length];
        for (int i = 0; i < v.length; i++) {
            if (s.count[i] == 0) {
                return null;
            }
            v[i] = s.sum[i] / s.count[i];
        }
        return v;
    }
}
