package dev.d2r2.broker.client;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The vote behind a {@code voted} subscription: n replicas (at least 2f + 1 of a Byzantine
 * cluster's 3f + 1) each report the events they deliver, and an event is delivered once f + 1
 * replicas reported the same publisher, sequence number and content. At most f replicas lie, so
 * f + 1 matching reports include a correct replica's, which had checked the publisher's seal;
 * and any 2f + 1 replicas include f + 1 correct ones, which all report every event.
 *
 * <p>The content compared is the caller's: the payloads themselves (comparing them byte for byte
 * is the digest comparison without the hash), or their digests when most replicas send only the
 * digest. A report either carries its event or only votes for it ({@code carries}); an event is
 * delivered once f + 1 reports match and one of the matching reports carries the event. A
 * carrying report that contradicts the f + 1 is refused and counted ({@link #refusedCopies}); a
 * replica that voted with a digest may later carry the same event (sent again whole, when the
 * subscriber takes the events from it instead), which is not a duplicate.
 *
 * <p>Per publisher, events are delivered in sequence order from 1, each once. Memory is bounded:
 * a ring of {@code 2 × window} sequence slots per publisher (the reports of the {@code window}
 * sequences after the next one to deliver, and the winners of the {@code window} before it, to
 * judge late reports), and at most {@code maxPublishers} publishers, of which each replica may
 * introduce at most {@code unconfirmedPerReplica} that no f + 1 replicas have reported yet.
 * A report beyond the window or over a quota is dropped and counted ({@link Outcome#OVERRUN}):
 * the tally never holds a replica's stream back, since one connection carries every publisher
 * and holding it for one publisher could wait on another for ever. Such a report is lost for
 * the vote, so an event is still delivered when f + 1 other replicas report it in time.
 *
 * <p>A sequence number that can no longer gather f + 1 matching reports (too many replicas went
 * past it without reporting it) is skipped; {@link #skipStalled} skips on the caller's decision
 * (a timeout) the ones that only silent replicas could still complete.
 *
 * <p>Pure and single-threaded; no allocation per report once a publisher is known.
 */
final class VoteTally<T> {
    /** What became of one report. */
    enum Outcome {
        /** Recorded (and perhaps delivered, with what it completed). */
        COUNTED,
        /** For a sequence already delivered or skipped: compared, then ignored. */
        LATE,
        /** The replica reported this sequence before (a replay, or an equivocation): ignored. */
        DUPLICATE,
        /** Beyond the window, or a new publisher over the replica's quota: dropped, counted. */
        OVERRUN,
        /** Not a sequence number (below 1): ignored. */
        REFUSED
    }

    /** How the tally reads a report's content. */
    @FunctionalInterface
    interface Content<T> {
        byte[] bytes(T item);
    }

    /** Receives the delivered events, in each publisher's sequence order. */
    @FunctionalInterface
    interface Sink<T> {
        void deliver(String publisher, long sequence, T item);
    }

    private final int n;
    private final int quorum;
    private final int window;
    private final int maxPublishers;
    private final int unconfirmedPerReplica;
    private final Content<T> content;
    private final Predicate<T> carries;
    private final Sink<T> sink;
    private final Map<String, Stream> streams = new HashMap<>();
    private final int[] unconfirmed;
    private final long[] disagreements;
    private final long[] duplicates;
    private final long[] refused;
    private final long[] overruns;
    private final long[] refusedCopies;
    private long delivered;
    private long skipped;

    VoteTally(int replicas, int f, int window, int maxPublishers, int unconfirmedPerReplica,
              Content<T> content, Predicate<T> carries, Sink<T> sink) {
        if (f < 0 || replicas < 2 * f + 1 || replicas > 64) {
            throw new IllegalArgumentException(replicas + " replicas cannot outvote f = " + f
                    + " Byzantine faults (needs 2f + 1, at most 64)");
        }
        if (window < 1 || maxPublishers < 1 || unconfirmedPerReplica < 1) {
            throw new IllegalArgumentException("window, maxPublishers and unconfirmedPerReplica must be positive");
        }
        this.n = replicas;
        this.quorum = f + 1;
        this.window = window;
        this.maxPublishers = maxPublishers;
        this.unconfirmedPerReplica = unconfirmedPerReplica;
        this.content = content;
        this.carries = carries;
        this.sink = sink;
        this.unconfirmed = new int[replicas];
        this.disagreements = new long[replicas];
        this.duplicates = new long[replicas];
        this.refused = new long[replicas];
        this.overruns = new long[replicas];
        this.refusedCopies = new long[replicas];
    }

    /** One report: replica {@code replica} delivered {@code item} as {@code publisher}'s event {@code sequence}. */
    Outcome report(int replica, String publisher, long sequence, T item) {
        if (sequence < 1) {
            refused[replica]++;
            return Outcome.REFUSED;
        }
        Stream s = streams.get(publisher);
        if (s == null) {
            if (streams.size() >= maxPublishers || unconfirmed[replica] >= unconfirmedPerReplica) {
                overruns[replica]++;
                return Outcome.OVERRUN;
            }
            s = new Stream(publisher, replica);
            streams.put(publisher, s);
            unconfirmed[replica]++;
        }
        return s.report(replica, sequence, item);
    }

    /**
     * Gives up, for every publisher, the sequence numbers before the first one that has its
     * f + 1 matching reports and one carrying it, and delivers from there; returns how many it gave up. The caller
     * calls it when the vote has stalled for a while: the reports still missing can only come
     * from silent replicas.
     */
    long skipStalled() {
        long before = skipped;
        for (Stream s : streams.values()) {
            s.skipToDecided();
        }
        return skipped - before;
    }

    /** Whether some publisher's next event has its f + 1 matching reports but none carrying it yet. */
    boolean awaitingEvent() {
        for (Stream s : streams.values()) {
            if (s.awaitingEvent()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The least {@code position} of the reports of {@code replica} not delivered yet (at or after
     * each publisher's next sequence number), or {@link Long#MAX_VALUE} when it has none: where to
     * take the events from it when it is to carry them from now on.
     */
    long earliestUndelivered(int replica, ToLongFunction<T> position) {
        long least = Long.MAX_VALUE;
        for (Stream s : streams.values()) {
            least = Math.min(least, s.earliestUndelivered(replica, position));
        }
        return least;
    }

    /** The next sequence number to deliver of {@code publisher} (1 when unknown). */
    long next(String publisher) {
        Stream s = streams.get(publisher);
        return s == null ? 1 : s.next;
    }

    /** Reports of {@code replica} that contradicted the f + 1 others: tampered or forged events. */
    long disagreements(int replica) {
        return disagreements[replica];
    }

    /** Reports of {@code replica} for a sequence it had reported already. */
    long duplicates(int replica) {
        return duplicates[replica];
    }

    /** Reports of {@code replica} with an impossible sequence number. */
    long refused(int replica) {
        return refused[replica];
    }

    /** Reports of {@code replica} dropped: beyond the window, or a new publisher over its quota. */
    long overruns(int replica) {
        return overruns[replica];
    }

    /** Reports of {@code replica} that carried an event contradicting the f + 1 matching reports: refused. */
    long refusedCopies(int replica) {
        return refusedCopies[replica];
    }

    long delivered() {
        return delivered;
    }

    /** Sequence numbers given up: fewer than f + 1 replicas could report them. */
    long skipped() {
        return skipped;
    }

    private boolean same(T a, T b) {
        return a == b || Arrays.equals(content.bytes(a), content.bytes(b));
    }

    /** One publisher's reports: a ring of 2 × window slots, each one sequence number's reports. */
    private final class Stream {
        private final String publisher;
        private final int creator;
        private final long[] seqOf = new long[2 * window];
        private final int[] winner = new int[2 * window];
        private final Object[] reports = new Object[2 * window * n];
        private final long[] highest = new long[n];
        private long reporters;
        private boolean confirmed;
        private long next = 1;

        Stream(String publisher, int creator) {
            this.publisher = publisher;
            this.creator = creator;
        }

        int slot(long sequence) {
            return (int) (sequence % (2L * window));
        }

        @SuppressWarnings("unchecked")
        T reportAt(int slot, int replica) {
            return (T) reports[slot * n + replica];
        }

        Outcome report(int replica, long sequence, T item) {
            confirm(replica);
            if (sequence > highest[replica]) {
                highest[replica] = sequence;
            }
            if (sequence >= next + window) {
                overruns[replica]++;
                return Outcome.OVERRUN;
            }
            if (sequence < next - window) {
                return Outcome.LATE;
            }
            int slot = slot(sequence);
            if (seqOf[slot] != sequence) {
                if (sequence < next) {
                    return Outcome.LATE;
                }
                seqOf[slot] = sequence;
                winner[slot] = -1;
                Arrays.fill(reports, slot * n, slot * n + n, null);
            }
            T before = reportAt(slot, replica);
            if (before != null) {
                if (!carries.test(before) && carries.test(item) && same(before, item)) {
                    // The event it voted for with a digest, sent again whole as the subscriber asked.
                    reports[slot * n + replica] = item;
                    drain();
                    return sequence < next ? Outcome.LATE : Outcome.COUNTED;
                }
                duplicates[replica]++;
                if (!same(before, item)) {
                    disagree(replica, item);
                }
                return Outcome.DUPLICATE;
            }
            reports[slot * n + replica] = item;
            int w = winner[slot];
            if (w >= 0) {
                if (!same(reportAt(slot, w), item)) {
                    disagree(replica, item);
                } else if (sequence >= next) {
                    drain();
                }
                return sequence < next ? Outcome.LATE : Outcome.COUNTED;
            }
            if (sequence < next) {
                return Outcome.LATE;
            }
            if (matching(slot, item) >= quorum) {
                winner[slot] = replica;
                for (int q = 0; q < n; q++) {
                    T other = reportAt(slot, q);
                    if (other != null && !same(other, item)) {
                        disagree(q, other);
                    }
                }
            }
            drain();
            return Outcome.COUNTED;
        }

        private void disagree(int replica, T item) {
            disagreements[replica]++;
            if (carries.test(item)) {
                refusedCopies[replica]++;
            }
        }

        /** A report of the decided {@code slot} that carries the event, or -1 when none has come yet. */
        private int carrier(int slot) {
            int w = winner[slot];
            T decided = reportAt(slot, w);
            if (carries.test(decided)) {
                return w;
            }
            for (int q = 0; q < n; q++) {
                T r = reportAt(slot, q);
                if (r != null && carries.test(r) && same(r, decided)) {
                    return q;
                }
            }
            return -1;
        }

        boolean awaitingEvent() {
            int slot = slot(next);
            return seqOf[slot] == next && winner[slot] >= 0 && carrier(slot) < 0;
        }

        long earliestUndelivered(int replica, ToLongFunction<T> position) {
            long least = Long.MAX_VALUE;
            for (long q = next; q < next + window; q++) {
                int slot = slot(q);
                T r = seqOf[slot] == q ? reportAt(slot, replica) : null;
                if (r != null) {
                    least = Math.min(least, position.applyAsLong(r));
                }
            }
            return least;
        }

        private void confirm(int replica) {
            reporters |= 1L << replica;
            if (!confirmed && Long.bitCount(reporters) >= quorum) {
                confirmed = true;
                unconfirmed[creator]--;
            }
        }

        private int matching(int slot, T item) {
            int m = 0;
            for (int q = 0; q < n; q++) {
                T other = reportAt(slot, q);
                if (other != null && same(other, item)) {
                    m++;
                }
            }
            return m;
        }

        /** Delivers from {@code next} while the next sequence has its winner or cannot get one. */
        void drain() {
            while (true) {
                int slot = slot(next);
                if (seqOf[slot] == next && winner[slot] >= 0) {
                    int c = carrier(slot);
                    if (c < 0) {
                        return;
                    }
                    T item = reportAt(slot, c);
                    next++;
                    delivered++;
                    sink.deliver(publisher, next - 1, item);
                } else if (hopeless(slot)) {
                    skipNext();
                } else {
                    return;
                }
            }
        }

        /**
         * True when no content can reach f + 1 reports at {@code next}: the best one's reports
         * plus the replicas that have not reached it yet fall short (a replica that reported a
         * later sequence but not this one went past it, as replicas report in order).
         */
        private boolean hopeless(int slot) {
            boolean held = seqOf[slot] == next;
            int best = 0;
            int pending = 0;
            for (int q = 0; q < n; q++) {
                T r = held ? reportAt(slot, q) : null;
                if (r != null) {
                    best = Math.max(best, matching(slot, r));
                } else if (highest[q] < next) {
                    pending++;
                }
            }
            return best + pending < quorum;
        }

        void skipToDecided() {
            for (long q = next + 1; q < next + window; q++) {
                int slot = slot(q);
                if (seqOf[slot] == q && winner[slot] >= 0 && carrier(slot) >= 0) {
                    while (next < q) {
                        skipNext();
                    }
                    drain();
                    return;
                }
            }
        }

        void skipNext() {
            int slot = slot(next);
            if (seqOf[slot] != next) {
                seqOf[slot] = next;
                Arrays.fill(reports, slot * n, slot * n + n, null);
            }
            winner[slot] = -1;
            next++;
            skipped++;
        }
    }
}
