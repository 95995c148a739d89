package dev.d2r2.diagnosis;

import dev.d2r2.monitor.events.Sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Samples of peers that share a load, as replicas behind one balancer do: per window a common load
 * level (from 20 to 20 + {@code loadRange}), each peer's metrics proportional to it with its own
 * noise. A culprit, from window {@code faultFrom} on, adds a burden of its own to the first metric
 * (a CPU hog).
 */
record Synthetic(int peers, long seed, double noise, double loadRange, double bursts) {
    /** How much a burst multiplies a peer's metrics for one window. */
    static final double BURST = 4;

    Synthetic(int peers, long seed, double noise) {
        this(peers, seed, noise, 180, 0);
    }

    /**
     * Peers under a steady load whose own noise, not the load, moves them from profile to profile,
     * and who now and then (3 % of their windows, never two in a row) have a burst of one window, as
     * a collection or a scheduling hiccup gives a real server: a profile of its own. No burst begins
     * in the two windows before a fault or during it: a burst of another peer then is a second,
     * overlapping challenge, which delays the culprit's indictment by the burst's decay.
     */
    static Synthetic noisy(int peers, long seed) {
        return new Synthetic(peers, seed, 0.2, 0, 0.03);
    }

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
        double[] burst = new double[peers];
        Arrays.fill(burst, 1);
        for (int w = 0; w < windows; w++) {
            double load = 20 + loadRange * r.nextDouble();
            for (int p = 0; p < peers; p++) {
                boolean quiet = faultFrom >= 0 && w >= faultFrom - 2 && w < faultTo;
                burst[p] = burst[p] == 1 && r.nextDouble() < bursts && !quiet ? BURST : 1;
            }
            for (int s = 0; s < perWindow; s++) {
                long t = w * WINDOW_MS + s * 1000L;
                for (int p = 0; p < peers; p++) {
                    double[] v = {load * 0.1 * burst[p], load * 40 * burst[p], load * 10 * burst[p]};
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
