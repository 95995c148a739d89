package dev.d2r2.broker.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sequence numbers a running replica of a {@code forwarded} channel has seen skipped: per
 * publisher, the highest sequence number taken and the ranges below it not taken yet. A range
 * opens when an event arrives more than one ahead of its publisher's last (a link dropped
 * copies while this replica was stopped or cut off), and closes as the missing events arrive,
 * by another path or from a peer's log ({@link ForwardedGapRepair}).
 *
 * <p>Called under the channel's window lock for every event taken: the common case (the next
 * sequence number) is one map lookup and allocates nothing. At most {@link #MAX_RANGES} ranges
 * per channel are open; beyond, the oldest is abandoned and reported like one no peer could fill.
 */
final class ForwardedGaps {
    static final int MAX_RANGES = 4096;

    /**
     * Sequence numbers {@code from..to} of {@code publisher} missing since {@code seenAt} (broker
     * time); the event before them was stamped {@code afterTime} by its publisher. The publisher's
     * stamp, not this replica's time of taking it: a replica stopped for a while takes the events
     * its links still held long after the other replicas logged them.
     */
    record Gap(String publisher, long from, long to, long afterTime, long seenAt) {
        long count() {
            return to - from + 1;
        }
    }

    private static final class Track {
        long last;
        long lastStamp;
        /** Open ranges by their first sequence number. */
        final TreeMap<Long, Gap> open = new TreeMap<>();
    }

    private final Map<String, Track> tracks = new HashMap<>();
    private final List<Gap> abandoned = new ArrayList<>();
    private int ranges;

    /** Records that the event {@code sequence} of {@code publisher}, stamped {@code stamp}, was taken at broker time {@code now}. */
    void took(String publisher, long sequence, long stamp, long now) {
        Track t = tracks.get(publisher);
        if (t == null) {
            t = new Track();
            tracks.put(publisher, t);
        } else if (sequence > t.last + 1) {
            open(t, new Gap(publisher, t.last + 1, sequence - 1, t.lastStamp, now));
        } else if (sequence <= t.last) {
            if (!t.open.isEmpty()) {
                fill(t, sequence);
            }
            return;
        }
        t.last = sequence;
        t.lastStamp = stamp;
    }

    /** Records an event of the log's tail on start: it moves the publisher's last sequence number on, and opens no range. */
    void resume(String publisher, long sequence, long stamp) {
        Track t = tracks.computeIfAbsent(publisher, p -> new Track());
        if (sequence > t.last) {
            t.last = sequence;
            t.lastStamp = stamp;
        }
    }

    private void open(Track t, Gap g) {
        if (ranges >= MAX_RANGES) {
            Gap oldest = null;
            for (Track other : tracks.values()) {
                if (!other.open.isEmpty()) {
                    Gap first = other.open.firstEntry().getValue();
                    if (oldest == null || first.seenAt() < oldest.seenAt()) {
                        oldest = first;
                    }
                }
            }
            if (oldest != null) {
                tracks.get(oldest.publisher()).open.remove(oldest.from());
                ranges--;
                abandoned.add(oldest);
            }
        }
        t.open.put(g.from(), g);
        ranges++;
    }

    private void fill(Track t, long sequence) {
        Map.Entry<Long, Gap> e = t.open.floorEntry(sequence);
        if (e == null || e.getValue().to() < sequence) {
            return;
        }
        Gap g = e.getValue();
        t.open.remove(g.from());
        ranges--;
        if (g.from() < sequence) {
            t.open.put(g.from(), new Gap(g.publisher(), g.from(), sequence - 1, g.afterTime(), g.seenAt()));
            ranges++;
        }
        if (sequence < g.to()) {
            t.open.put(sequence + 1, new Gap(g.publisher(), sequence + 1, g.to(), g.afterTime(), g.seenAt()));
            ranges++;
        }
    }

    /** Whether {@code sequence} of {@code publisher} lies in an open range. */
    boolean missing(String publisher, long sequence) {
        Track t = tracks.get(publisher);
        if (t == null || t.open.isEmpty()) {
            return false;
        }
        Map.Entry<Long, Gap> e = t.open.floorEntry(sequence);
        return e != null && e.getValue().to() >= sequence;
    }

    /** The open ranges seen at or before {@code seenBy} (broker time), oldest first. */
    List<Gap> seenBy(long seenBy) {
        List<Gap> gaps = new ArrayList<>();
        for (Track t : tracks.values()) {
            for (Gap g : t.open.values()) {
                if (g.seenAt() <= seenBy) {
                    gaps.add(g);
                }
            }
        }
        gaps.sort((a, b) -> Long.compare(a.seenAt(), b.seenAt()));
        return gaps;
    }

    /** Stops tracking {@code from..to} of {@code publisher} (reported missing); returns the ranges that were still open in it. */
    List<Gap> forget(String publisher, long from, long to) {
        Track t = tracks.get(publisher);
        List<Gap> forgotten = new ArrayList<>();
        if (t == null) {
            return forgotten;
        }
        for (Gap g : List.copyOf(t.open.subMap(from, true, to, true).values())) {
            if (g.to() <= to) {
                t.open.remove(g.from());
                ranges--;
                forgotten.add(g);
            }
        }
        return forgotten;
    }

    /** The ranges abandoned to keep the table bounded since the last call. */
    List<Gap> drainAbandoned() {
        List<Gap> out = List.copyOf(abandoned);
        abandoned.clear();
        return out;
    }
}
