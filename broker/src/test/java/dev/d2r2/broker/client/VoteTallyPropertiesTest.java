package dev.d2r2.broker.client;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vote of a voted subscription over random interleavings of n replicas' reports (all
 * 3f + 1 of a cluster, or the 2f + 1 a subscription may choose), f of them Byzantine: they tamper with payloads, forge sequence numbers and publishers, replay,
 * drop and equivocate. Correct replicas report each publisher's events in order and may miss
 * some (a subscriber queue overflowing at one broker). Every event that f + 1 correct replicas
 * reported is delivered unless a correct replica's report fell beyond the window (the tally's
 * bounded memory); with a window longer than the run that cannot happen, and the test checks so.
 */
class VoteTallyPropertiesTest {
    private record Report(String publisher, long sequence, byte[] payload) {
    }

    @Property(tries = 1000)
    void neverDeliversAWrongEventAndDeliversEveryEventOfFPlusOneCorrectReplicasOnce(
            @ForAll @IntRange(min = 1, max = 2) int f,
            @ForAll boolean subscribedToAll,
            @ForAll @IntRange(min = 1, max = 3) int publishers,
            @ForAll @IntRange(min = 1, max = 40) int events,
            @ForAll @IntRange(min = 1, max = 64) int window,
            @ForAll @IntRange(min = 0, max = 30) int correctLossPercent,
            @ForAll @LongRange long seed) {
        Random rnd = new Random(seed);
        int n = subscribedToAll ? 3 * f + 1 : 2 * f + 1;
        Map<String, byte[][]> genuine = new HashMap<>();
        for (int p = 0; p < publishers; p++) {
            byte[][] payloads = new byte[events + 1][];
            for (int s = 1; s <= events; s++) {
                payloads[s] = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(payloads[s]);
            }
            genuine.put("pub" + p, payloads);
        }
        Set<Integer> byzantine = new HashSet<>();
        while (byzantine.size() < f) {
            byzantine.add(rnd.nextInt(n));
        }
        List<ArrayDeque<Report>> streams = new ArrayList<>();
        Map<String, int[]> correctCopies = new HashMap<>();
        genuine.keySet().forEach(p -> correctCopies.put(p, new int[events + 1]));
        for (int r = 0; r < n; r++) {
            streams.add(byzantine.contains(r)
                    ? lies(genuine, events, window, rnd)
                    : correct(genuine, events, correctLossPercent, rnd, correctCopies));
        }

        Map<String, List<Long>> delivered = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        VoteTally<byte[]> tally = new VoteTally<>(n, f, window, publishers + 8 * f, 4, b -> b, b -> true, (p, s, payload) -> {
            byte[][] real = genuine.get(p);
            if (real == null || s > events || !Arrays.equals(real[(int) s], payload)) {
                wrong.add(p + "#" + s);
            }
            delivered.computeIfAbsent(p, k -> new ArrayList<>()).add(s);
        });

        List<Integer> open = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            open.add(r);
        }
        while (!open.isEmpty()) {
            int i = rnd.nextInt(open.size());
            Report head = streams.get(open.get(i)).poll();
            if (head == null) {
                open.remove(i);
            } else {
                tally.report(open.get(i), head.publisher(), head.sequence(), head.payload());
            }
        }
        // The subscriber's stall timeout: what is still missing could only come from silent replicas.
        while (tally.skipStalled() > 0) {
            assertThat(wrong).isEmpty();
        }

        assertThat(wrong).as("wrong events delivered").isEmpty();
        for (var e : delivered.entrySet()) {
            List<Long> seqs = e.getValue();
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("in order, once: " + e.getKey()).isGreaterThan(seqs.get(i - 1));
            }
        }
        long correctOverruns = 0;
        for (int r = 0; r < n; r++) {
            if (!byzantine.contains(r)) {
                correctOverruns += tally.overruns(r);
            }
        }
        if (window > events) {
            assertThat(correctOverruns).isZero();
        }
        for (var e : correctCopies.entrySet()) {
            if (correctOverruns > 0) {
                break;
            }
            List<Long> got = delivered.getOrDefault(e.getKey(), List.of());
            for (int s = 1; s <= events; s++) {
                if (e.getValue()[s] >= f + 1) {
                    assertThat(got).as(e.getKey() + "#" + s + " reported by " + e.getValue()[s] + " correct replicas")
                            .contains((long) s);
                }
            }
        }
        for (int r = 0; r < n; r++) {
            if (!byzantine.contains(r)) {
                assertThat(tally.disagreements(r)).as("disagreements of correct replica " + r).isZero();
                assertThat(tally.duplicates(r)).isZero();
            }
        }
    }

    @Property(tries = 200)
    void aTamperingReplicaIsCountedAsDisagreeing(@ForAll @IntRange(min = 1, max = 30) int events,
                                                 @ForAll @LongRange long seed) {
        Random rnd = new Random(seed);
        List<byte[]> delivered = new ArrayList<>();
        VoteTally<byte[]> tally = new VoteTally<>(4, 1, 4, 8, 4, b -> b, b -> true, (p, s, payload) -> delivered.add(payload));
        for (int s = 1; s <= events; s++) {
            byte[] real = new byte[]{(byte) s, 1, 2};
            byte[] tampered = new byte[]{(byte) s, 1, 3};
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
            java.util.Collections.shuffle(order, rnd);
            for (int r : order) {
                tally.report(r, "p", s, r == 3 ? tampered : real.clone());
            }
        }
        assertThat(delivered).hasSize(events).allMatch(b -> b[2] == 2);
        assertThat(tally.disagreements(3)).isEqualTo(events);
        assertThat(tally.disagreements(0) + tally.disagreements(1) + tally.disagreements(2)).isZero();
    }

    private static ArrayDeque<Report> correct(Map<String, byte[][]> genuine, int events, int lossPercent, Random rnd,
                                              Map<String, int[]> copies) {
        Map<String, Integer> nextOf = new HashMap<>();
        genuine.keySet().forEach(p -> nextOf.put(p, 1));
        ArrayDeque<Report> out = new ArrayDeque<>();
        List<String> open = new ArrayList<>(genuine.keySet());
        while (!open.isEmpty()) {
            String p = open.get(rnd.nextInt(open.size()));
            int s = nextOf.get(p);
            if (rnd.nextInt(100) >= lossPercent) {
                out.add(new Report(p, s, genuine.get(p)[s].clone()));
                copies.get(p)[s]++;
            }
            if (s == events) {
                open.remove(p);
            } else {
                nextOf.put(p, s + 1);
            }
        }
        return out;
    }

    private static ArrayDeque<Report> lies(Map<String, byte[][]> genuine, int events, int window, Random rnd) {
        ArrayDeque<Report> out = new ArrayDeque<>();
        List<String> names = new ArrayList<>(genuine.keySet());
        int actions = rnd.nextInt(3 * events * names.size() + 1);
        for (int i = 0; i < actions; i++) {
            String p = names.get(rnd.nextInt(names.size()));
            int s = 1 + rnd.nextInt(events);
            byte[] real = genuine.get(p)[s];
            switch (rnd.nextInt(7)) {
                case 0 -> out.add(new Report(p, s, real.clone()));
                case 1 -> out.add(new Report(p, s, tamper(real, rnd)));
                case 2 -> {
                    out.add(new Report(p, s, real.clone()));
                    out.add(new Report(p, s, tamper(real, rnd)));
                }
                case 3 -> out.add(new Report(p, rnd.nextInt(events + 3 * window) - window, real.clone()));
                case 4 -> out.add(new Report(p, s + 1 + rnd.nextInt(2 * window), tamper(real, rnd)));
                case 5 -> out.add(new Report("forged" + rnd.nextInt(20), s, real.clone()));
                default -> {
                    // drop: report nothing for this one
                }
            }
        }
        return out;
    }

    private static byte[] tamper(byte[] real, Random rnd) {
        byte[] t = Arrays.copyOf(real, real.length + (rnd.nextBoolean() ? 0 : 1));
        t[rnd.nextInt(real.length)] ^= (byte) (1 + rnd.nextInt(255));
        return t;
    }
}
