package dev.d2r2.broker.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.ObjIntConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replicas' report streams the vote's property tests feed a {@link VoteTally}: genuine
 * events of each publisher, correct replicas reporting them in order with losses, Byzantine ones
 * lying, and a random interleaving of them all. A report's item is made from the payload and
 * whether it is sent whole ({@link Copy}): the tally of whole copies ignores the flag.
 */
final class VoteStreams {
    /** One replica's report of an event. */
    record Report<T>(String publisher, long sequence, T item) {
    }

    /** What a report carries, made from the payload and whether it is sent whole. */
    interface Copy<T> {
        T of(byte[] payload, boolean whole);
    }

    private VoteStreams() {
    }

    /** Publishers {@code pub0}... with {@code events} random payloads each, at index 1 to {@code events}. */
    static Map<String, byte[][]> genuine(int publishers, int events, Random rnd) {
        Map<String, byte[][]> genuine = new HashMap<>();
        for (int p = 0; p < publishers; p++) {
            byte[][] payloads = new byte[events + 1][];
            for (int s = 1; s <= events; s++) {
                payloads[s] = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(payloads[s]);
            }
            genuine.put("pub" + p, payloads);
        }
        return genuine;
    }

    /** f distinct replicas of n. */
    static Set<Integer> byzantine(int f, int n, Random rnd) {
        Set<Integer> byzantine = new HashSet<>();
        while (byzantine.size() < f) {
            byzantine.add(rnd.nextInt(n));
        }
        return byzantine;
    }

    /**
     * A correct replica's stream: each publisher's events in order, publishers interleaved at
     * random, each event lost with {@code lossPercent}; {@code reported} learns every event sent.
     */
    static <T> ArrayDeque<Report<T>> correct(Map<String, byte[][]> genuine, int events, int lossPercent, boolean whole, Random rnd,
                                             Copy<T> copy, ObjIntConsumer<String> reported) {
        Map<String, Integer> nextOf = new HashMap<>();
        genuine.keySet().forEach(p -> nextOf.put(p, 1));
        ArrayDeque<Report<T>> out = new ArrayDeque<>();
        List<String> open = new ArrayList<>(genuine.keySet());
        while (!open.isEmpty()) {
            String p = open.get(rnd.nextInt(open.size()));
            int s = nextOf.get(p);
            if (rnd.nextInt(100) >= lossPercent) {
                out.add(new Report<>(p, s, copy.of(genuine.get(p)[s].clone(), whole)));
                reported.accept(p, s);
            }
            if (s == events) {
                open.remove(p);
            } else {
                nextOf.put(p, s + 1);
            }
        }
        return out;
    }

    /**
     * A Byzantine replica's stream: genuine copies, tampered ones, equivocation, sequences out of
     * range, forged publishers, silence; with {@code doubleWhole}, also an event sent whole twice
     * (the eighth kind, which only a draw of eight reaches).
     */
    static <T> ArrayDeque<Report<T>> lies(Map<String, byte[][]> genuine, int events, int window, boolean doubleWhole, Random rnd,
                                          Copy<T> copy) {
        ArrayDeque<Report<T>> out = new ArrayDeque<>();
        List<String> names = new ArrayList<>(genuine.keySet());
        int actions = rnd.nextInt(3 * events * names.size() + 1);
        for (int i = 0; i < actions; i++) {
            String p = names.get(rnd.nextInt(names.size()));
            int s = 1 + rnd.nextInt(events);
            byte[] real = genuine.get(p)[s];
            boolean whole = rnd.nextBoolean();
            switch (rnd.nextInt(doubleWhole ? 8 : 7)) {
                case 0 -> out.add(new Report<>(p, s, copy.of(real.clone(), whole)));
                case 1 -> out.add(new Report<>(p, s, copy.of(tamper(real, rnd), whole)));
                case 2 -> {
                    out.add(new Report<>(p, s, copy.of(real.clone(), false)));
                    out.add(new Report<>(p, s, copy.of(tamper(real, rnd), true)));
                }
                case 3 -> out.add(new Report<>(p, rnd.nextInt(events + 3 * window) - window, copy.of(real.clone(), whole)));
                case 4 -> out.add(new Report<>(p, s + 1 + rnd.nextInt(2 * window), copy.of(tamper(real, rnd), whole)));
                case 5 -> out.add(new Report<>("forged" + rnd.nextInt(20), s, copy.of(real.clone(), whole)));
                case 7 -> {
                    out.add(new Report<>(p, s, copy.of(real.clone(), true)));
                    out.add(new Report<>(p, s, copy.of(real.clone(), true)));
                }
                default -> {
                    // silent for this one
                }
            }
        }
        return out;
    }

    /** Feeds the streams' reports to the tally, each replica's in order, the replicas interleaved at random. */
    static <T> void interleave(VoteTally<T> tally, List<ArrayDeque<Report<T>>> streams, Random rnd) {
        List<Integer> open = new ArrayList<>();
        for (int r = 0; r < streams.size(); r++) {
            open.add(r);
        }
        while (!open.isEmpty()) {
            int i = rnd.nextInt(open.size());
            Report<T> head = streams.get(open.get(i)).poll();
            if (head == null) {
                open.remove(i);
            } else {
                tally.report(open.get(i), head.publisher(), head.sequence(), head.item());
            }
        }
    }

    /** Each publisher's delivered sequences rise strictly: in order, once. */
    static void assertInOrderOnce(Map<String, List<Long>> delivered) {
        for (var e : delivered.entrySet()) {
            List<Long> seqs = e.getValue();
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("in order, once: " + e.getKey()).isGreaterThan(seqs.get(i - 1));
            }
        }
    }

    private static byte[] tamper(byte[] real, Random rnd) {
        byte[] t = Arrays.copyOf(real, real.length + (rnd.nextBoolean() ? 0 : 1));
        t[rnd.nextInt(real.length)] ^= (byte) (1 + rnd.nextInt(255));
        return t;
    }
}
