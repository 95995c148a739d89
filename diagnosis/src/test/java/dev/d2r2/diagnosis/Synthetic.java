package dev.d2r2.diagnosis;

import dev.d2r2.monitor.events.Sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Samples of peers that share a load, as replicas behind one balancer do: per window a common load
 * level, each peer's metrics proportional to it with a few percent of its own noise. A culprit,
 * from window {@code faultFrom} on, adds a burden of its own to the first metric (a CPU hog).
 */
record Synthetic(int peers, long seed, double noise) {
    static final List<String> METRICS = List.of("os.cpu_user_pct", "os.ctx_switches_per_s", "os.net_rx_packets_per_s");
    static final long WINDOW_MS = 5_000;

    static String peer(int i) {
        return "s" + (i + 1);
    }

    /** One sample per metric per second; the culprit is peer 0 from window {@code faultFrom} (never when negative). */
    List<Sample> samples(int windows, int faultFrom, double burden) {
        return samples(windows, faultFrom, Integer.MAX_VALUE, burden);
    }

    /** As {@link #samples(int, int, double)}, the fault ending before window {@code faultTo}. */
    List<Sample> samples(int windows, int faultFrom, int faultTo, double burden) {
        Random r = new Random(seed);
        List<Sample> out = new ArrayList<>();
        int perWindow = (int) (WINDOW_MS / 1000);
        for (int w = 0; w < windows; w++) {
            double load = 20 + 180 * r.nextDouble();
            for (int s = 0; s < perWindow; s++) {
                long t = w * WINDOW_MS + s * 1000L;
                for (int p = 0; p < peers; p++) {
                    double[] v = {load * 0.1, load * 40, load * 10};
                    if (p == 0 && faultFrom >= 0 && w >= faultFrom && w < faultTo) {
                        v[0] += burden;
                    }
                    for (int m = 0; m < v.length; m++) {
                        out.add(new Sample(METRICS.get(m), t, peer(p), v[m] * (1 + noise * r.nextGaussian()), null));
                    }
                }
            }
        }
        return out;
    }

    static Trainer.Request request(int k) {
        return new Trainer.Request(METRICS, "os", java.util.Map.of(), WINDOW_MS, k, VoteSettings.DEFAULTS, 0.25, 42);
    }

    static List<Windows.Window> windows(List<Sample> samples) {
        Windows w = new Windows(METRICS, WINDOW_MS);
        samples.forEach(s -> w.add(s.service(), s.metric(), s.time(), s.value()));
        return w.close(samples.getLast().time() + WINDOW_MS);
    }
}
