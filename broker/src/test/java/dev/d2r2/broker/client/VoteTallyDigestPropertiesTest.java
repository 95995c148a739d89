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
 * The vote with digest copies: one replica, the carrier, sends the events whole, the others
 * only their digests (here the payload itself stands for its digest: the tally compares what it
 * is given). f replicas are Byzantine, the carrier perhaps among them: they tamper, forge,
 * replay, drop, equivocate, and send whole copies where they should send digests. Then, as a
 * {@link VotedSubscription} does when its carrier lies or goes silent, a correct replica sends
 * again whole what it had sent as digests. Never a wrong event, never one twice or out of order,
 * never an event delivered from a copy that did not carry it; every event that f + 1 correct
 * replicas attested and a correct replica carried is delivered; correct replicas are never
 * counted as disagreeing, duplicating or sending refused copies.
 */
class VoteTallyDigestPropertiesTest {
    /** A report: the content voted on, and whether it carries the event. */
    record Item(byte[] key, boolean whole) {
    }

    @Property(tries = 1000)
    void digestCopiesNeverDeliverAWrongEventAndEveryCarriedEventOfFPlusOneCorrectReplicasOnce(
            @ForAll @IntRange(min = 1, max = 2) int f,
            @ForAll boolean subscribedToAll,
            @ForAll @IntRange(min = 1, max = 3) int publishers,
            @ForAll @IntRange(min = 1, max = 40) int events,
            @ForAll @IntRange(min = 0, max = 30) int correctLossPercent,
            @ForAll boolean resendEvenIfTheCarrierIsCorrect,
            @ForAll @LongRange long seed) {
        Random rnd = new Random(seed);
        int n = subscribedToAll ? 3 * f + 1 : 2 * f + 1;
        int window = events + 1;
        Map<String, byte[][]> genuine = VoteStreams.genuine(publishers, events, rnd);
        Set<Integer> byzantine = VoteStreams.byzantine(f, n, rnd);
        int carrier = rnd.nextInt(n);
        List<ArrayDeque<Report<Item>>> streams = new ArrayList<>();
        List<Map<String, boolean[]>> held = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            Map<String, boolean[]> has = new HashMap<>();
            genuine.keySet().forEach(p -> has.put(p, new boolean[events + 1]));
            held.add(has);
            streams.add(byzantine.contains(r)
                    ? VoteStreams.lies(genuine, events, window, true, rnd, Item::new)
                    : VoteStreams.correct(genuine, events, correctLossPercent, r == carrier, rnd, Item::new, (p, s) -> has.get(p)[s] = true));
        }
        // Who sends again whole, after the vote stalls: a correct replica other than the carrier.
        List<Integer> others = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            if (!byzantine.contains(r) && r != carrier) {
                others.add(r);
            }
        }
        boolean resend = byzantine.contains(carrier) || resendEvenIfTheCarrierIsCorrect;
        int resender = others.get(rnd.nextInt(others.size()));

        Map<String, List<Long>> delivered = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        VoteTally<Item> tally = new VoteTally<>(n, f, window, publishers + 8 * f, 4, Item::key, Item::whole,
                (p, s, item) -> {
                    byte[][] real = genuine.get(p);
                    if (!item.whole() || real == null || s > events || !Arrays.equals(real[(int) s], item.key())) {
                        wrong.add(p + "#" + s);
                    }
                    delivered.computeIfAbsent(p, k -> new ArrayList<>()).add(s);
                });

        VoteStreams.interleave(tally, streams, rnd);
        if (resend) {
            ArrayDeque<Report<Item>> again = new ArrayDeque<>();
            for (var e : held.get(resender).entrySet()) {
                for (int s = 1; s <= events; s++) {
                    if (e.getValue()[s]) {
                        again.add(new Report<>(e.getKey(), s, new Item(genuine.get(e.getKey())[s].clone(), true)));
                    }
                }
            }
            for (Report<Item> r : again) {
                tally.report(resender, r.publisher(), r.sequence(), r.item());
            }
        }
        while (tally.skipStalled() > 0) {
            assertThat(wrong).isEmpty();
        }

        assertThat(wrong).as("wrong or uncarried events delivered").isEmpty();
        VoteStreams.assertInOrderOnce(delivered);
        for (String p : genuine.keySet()) {
            List<Long> got = delivered.getOrDefault(p, List.of());
            for (int s = 1; s <= events; s++) {
                int attested = 0;
                boolean carried = false;
                for (int r = 0; r < n; r++) {
                    if (!byzantine.contains(r) && held.get(r).get(p)[s]) {
                        attested++;
                        carried |= r == carrier || (resend && r == resender);
                    }
                }
                if (attested >= f + 1 && carried) {
                    assertThat(got).as(p + "#" + s + " attested by " + attested + " correct replicas and carried").contains((long) s);
                }
            }
        }
        for (int r = 0; r < n; r++) {
            if (!byzantine.contains(r)) {
                assertThat(tally.disagreements(r)).as("disagreements of correct replica " + r).isZero();
                assertThat(tally.duplicates(r)).as("duplicates of correct replica " + r).isZero();
                assertThat(tally.refusedCopies(r)).as("refused copies of correct replica " + r).isZero();
            }
        }
    }
}
