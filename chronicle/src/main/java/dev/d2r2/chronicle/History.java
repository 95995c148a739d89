package dev.d2r2.chronicle;

import dev.d2r2.core.Event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events an interval statement (noevent, hold, occurs) may look back on, in (time, arrival)
 * order. Old events are pruned; for hold, the last pruned event of each entity is kept, since
 * "the last state before ta" may lie far back.
 */
final class History {
    private final Chronicle.IntervalStatement statement;
    private final List<Event> events = new ArrayList<>();
    private final Map<List<String>, Event> lastPruned = new HashMap<>();

    History(Chronicle.IntervalStatement statement) {
        this.statement = statement;
    }

    /** Keeps {@code e} if it matches the statement's pattern ignoring variables. */
    void offer(Event e) {
        if (statement.matcher().matchesStatically(e)) {
            add(e);
        }
    }

    private void add(Event e) {
        int i = events.size();
        while (i > 0 && events.get(i - 1).time() > e.time()) {
            i--;
        }
        events.add(i, e);
    }

    /** Forgets events older than {@code cutoff}. */
    void prune(long cutoff) {
        int n = 0;
        while (n < events.size() && events.get(n).time() < cutoff) {
            if (statement.kind() == Chronicle.Kind.HOLD) {
                lastPruned.put(entity(events.get(n)), events.get(n));
            }
            n++;
        }
        if (n > 0) {
            events.subList(0, n).clear();
        }
    }

    private List<String> entity(Event e) {
        List<String> keys = statement.matcher().keys();
        List<String> k = new ArrayList<>(keys.size());
        for (String key : keys) {
            k.add(Values.of(e, key));
        }
        return k;
    }

    /** Events matching under {@code vals} with time in [from, to), not among {@code bound}. */
    long count(long from, long to, String[] vals, Event[] bound, long limit) {
        long n = 0;
        for (int i = lowerBound(from); i < events.size(); i++) {
            Event e = events.get(i);
            if (e.time() >= to) {
                break;
            }
            if (statement.matcher().matches(e, vals, false) && !isBound(e, bound)) {
                if (++n > limit) {
                    return n;
                }
            }
        }
        return n;
    }

    /** Spec §4 hold: the last matching state event at or before {@code ta} is {@code value}, and none in (ta, tb] differs. */
    boolean holds(long ta, long tb, String value, String[] vals) {
        int start = lowerBound(ta + 1);
        Event last = null;
        for (int i = start - 1; i >= 0; i--) {
            if (statement.matcher().matches(events.get(i), vals, false)) {
                last = events.get(i);
                break;
            }
        }
        if (last == null) {
            for (Event e : lastPruned.values()) {
                if (e.time() <= ta && statement.matcher().matches(e, vals, false) && (last == null || e.time() >= last.time())) {
                    last = e;
                }
            }
        }
        if (last == null || !value.equals(last.to())) {
            return false;
        }
        for (int i = start; i < events.size(); i++) {
            Event e = events.get(i);
            if (e.time() > tb) {
                break;
            }
            if (statement.matcher().matches(e, vals, false) && !value.equals(e.to())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBound(Event e, Event[] bound) {
        for (Event b : bound) {
            if (b == e) {
                return true;
            }
        }
        return false;
    }

    private int lowerBound(long time) {
        int lo = 0;
        int hi = events.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (events.get(mid).time() < time) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    int size() {
        return events.size() + lastPruned.size();
    }
}
