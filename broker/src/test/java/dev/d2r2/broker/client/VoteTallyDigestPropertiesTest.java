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

    private record Report(String publisher, long sequence, Item item) {
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
        int carrier = rnd.nextInt(n);
        List<ArrayDeque<Report>> streams = new ArrayList<>();
        List<Map<String, boolean[]>> held = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            Map<String, boolean[]> has = new HashMap<>();
            genuine.keySet().forEach(p -> has.put(p, new boolean[events + 1]));
            held.add(has);
            streams.add(byzantine.contains(r)
                    ? lies(genuine, events, window, rnd)
                    : correct(genuine, events, correctLossPercent, r == carrier, rnd, has));
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

        interleave(tally, streams, rnd);
        if (resend) {
            ArrayDeque<Report> again = new ArrayDeque<>();
            for (var e : held.get(resender).entrySet()) {
                for (int s = 1; s <= events; s++) {
                    if (e.getValue()[s]) {
                        again.add(new Report(e.getKey(), s, new Item(genuine.get(e.getKey())[s].clone(), true)));
                    }
                }
            }
            for (Report r : again) {
                tally.report(resender, r.publisher(), r.sequence(), r.item());
            }
        }
        while (tally.skipStalled() > 0) {
            assertThat(wrong).isEmpty();
        }

        assertThat(wrong).as("wrong or uncarried events delivered").isEmpty();
        for (var e : delivered.entrySet()) {
            List<Long> seqs = e.getValue();
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("in order, once: " + e.getKey()).isGreaterThan(seqs.get(i - 1));
            }
        }
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

    private static void interleave(VoteTally<Item> tally, List<ArrayDeque<Report>> streams, Random rnd) {
        List<Integer> open = new ArrayList<>();
        for (int r = 0; r < streams.size(); r++) {
            open.add(r);
        }
        while (!open.isEmpty()) {
            int i = rnd.nextInt(open.size());
            Report head = streams.get(open.get(i)).poll();
            if (head == null) {
                open.remove(i);
            } else {
                tally.report(open.get(i), head.publisher(), head.sequence(), head.item());
            }
        }
    }

    private static ArrayDeque<Report> correct(Map<String, byte[][]> genuine, int events, int lossPercent, boolean whole,
                                              Random rnd, Map<String, boolean[]> held) {
        Map<String, Integer> nextOf = new HashMap<>();
        genuine.keySet().forEach(p -> nextOf.put(p, 1));
        ArrayDeque<Report> out = new ArrayDeque<>();
        List<String> open = new ArrayList<>(genuine.keySet());
        while (!open.isEmpty()) {
            String p = open.get(rnd.nextInt(open.size()));
            int s = nextOf.get(p);
            if (rnd.nextInt(100) >= lossPercent) {
                out.add(new Report(p, s, new Item(genuine.get(p)[s].clone(), whole)));
                held.get(p)[s] = true;
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
            boolean whole = rnd.nextBoolean();
            switch (rnd.nextInt(8)) {
                case 0 -> out.add(new Report(p, s, new Item(real.clone(), whole)));
                case 1 -> out.add(new Report(p, s, new Item(tamper(real, rnd), whole)));
                case 2 -> {
                    out.add(new Report(p, s, new Item(real.clone(), false)));
                    out.add(new Report(p, s, new Item(tamper(real, rnd), true)));
                }
                case 3 -> out.add(new Report(p, rnd.nextInt(events + 3 * window) - window, new Item(real.clone(), whole)));
                case 4 -> out.add(new Report(p, s + 1 + rnd.nextInt(2 * window), new Item(tamper(real, rnd), whole)));
                case 5 -> out.add(new Report("forged" + rnd.nextInt(20), s, new Item(real.clone(), whole)));
                case 6 -> {
                    out.add(new Report(p, s, new Item(real.clone(), true)));
                    out.add(new Report(p, s, new Item(real.clone(), true)));
                }
                default -> {
                    // silent for this one
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
