package dev.d2r2.broker.client;

import dev.d2r2.broker.client.VoteStreams.Report;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
    private static final VoteStreams.Copy<byte[]> WHOLE = (payload, whole) -> payload;

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
        Map<String, byte[][]> genuine = VoteStreams.genuine(publishers, events, rnd);
        Set<Integer> byzantine = VoteStreams.byzantine(f, n, rnd);
        List<ArrayDeque<Report<byte[]>>> streams = new ArrayList<>();
        Map<String, int[]> correctCopies = new HashMap<>();
        genuine.keySet().forEach(p -> correctCopies.put(p, new int[events + 1]));
        for (int r = 0; r < n; r++) {
            streams.add(byzantine.contains(r)
                    ? VoteStreams.lies(genuine, events, window, false, rnd, WHOLE)
                    : VoteStreams.correct(genuine, events, correctLossPercent, true, rnd, WHOLE, (p, s) -> correctCopies.get(p)[s]++));
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

        VoteStreams.interleave(tally, streams, rnd);
        // The subscriber's stall timeout: what is still missing could only come from silent replicas.
        while (tally.skipStalled() > 0) {
            assertThat(wrong).isEmpty();
        }

        assertThat(wrong).as("wrong events delivered").isEmpty();
        VoteStreams.assertInOrderOnce(delivered);
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
}
