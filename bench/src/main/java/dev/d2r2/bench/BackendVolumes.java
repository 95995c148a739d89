package dev.d2r2.bench;

import dev.d2r2.sip.edge.Backend;
import dev.d2r2.sip.edge.EdgeProxy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The success-rate detector's input, read from the SIP edge's own per-backend counters
 * ({@link Backend#requests()}, {@link Backend#finalAnswers()}, {@link Backend#errorAnswers()}):
 * each {@link #sample()} keeps every backend's cumulative requests and successful final answers
 * (below 500) at that instant; {@link #intervals} turns them into per-interval volumes, as Envoy
 * counts a host's requests and successes over its detection interval.
 */
final class BackendVolumes {
    private final EdgeProxy edge;
    /** Time → per backend: [requests, successes], cumulative. */
    private final TreeMap<Long, Map<String, long[]>> samples = new TreeMap<>();

    BackendVolumes(EdgeProxy edge) {
        this.edge = edge;
    }

    synchronized void sample() {
        Map<String, long[]> now = new LinkedHashMap<>();
        for (Backend b : edge.backends()) {
            now.put(b.id(), new long[]{b.requests(), b.finalAnswers() - b.errorAnswers()});
        }
        samples.put(System.currentTimeMillis(), now);
    }

    /**
     * Per interval of {@code intervalMs} from {@code from} (its start → per backend its volume), up
     * to the last sample. A request unanswered in its interval counts as failed there, as a request
     * timed out does in Envoy.
     */
    synchronized Map<Long, Map<String, SuccessRateOutliers.Volume>> intervals(long from, long intervalMs) {
        Map<Long, Map<String, SuccessRateOutliers.Volume>> out = new TreeMap<>();
        if (samples.isEmpty()) {
            return out;
        }
        for (long start = from; start + intervalMs <= samples.lastKey(); start += intervalMs) {
            Map.Entry<Long, Map<String, long[]>> a = samples.ceilingEntry(start);
            Map.Entry<Long, Map<String, long[]>> b = samples.floorEntry(start + intervalMs);
            if (a == null || b == null || b.getKey() <= a.getKey()) {
                continue;
            }
            Map<String, SuccessRateOutliers.Volume> v = new LinkedHashMap<>();
            b.getValue().forEach((id, end) -> {
                long[] begin = a.getValue().getOrDefault(id, new long[2]);
                long requests = end[0] - begin[0];
                v.put(id, new SuccessRateOutliers.Volume(requests, Math.min(requests, end[1] - begin[1])));
            });
            out.put(start, v);
        }
        return out;
    }
}
