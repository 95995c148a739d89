package dev.d2r2.chronicle;

import dev.d2r2.core.Event;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The events an interval statement (noevent, hold, occurs) may look back on. They are indexed
 * by the values of the statement's variables (all bound by event statements when the interval
 * is decided), so a decision reads only the events of its own key, in (time, arrival) order.
 * Events older than the retention are pruned; for hold, the newest pruned event of each key is
 * kept, since "the last state at or before ta" may lie far back.
 */
final class History {
    private final Chronicle.IntervalStatement statement;
    private final Map<Object, TimeList> byKey = new HashMap<>();
    /** Arrival order, for pruning. */
    private final ArrayDeque<Event> arrivals = new ArrayDeque<>();
    private final ArrayDeque<Object> arrivalKeys = new ArrayDeque<>();
    /** The time of the first event in arrival order (kept here so that pruning nothing reads no event). */
    private long firstArrivalTime = Long.MAX_VALUE;
    private final String[] scratch;

    History(Chronicle.IntervalStatement statement, int varCount) {
        this.statement = statement;
        this.scratch = new String[varCount];
    }

    /** Keeps {@code e} if it matches the statement's pattern. */
    void offer(Event e) {
        Arrays.fill(scratch, null);
        if (!statement.matcher().matches(e, scratch, true)) {
            return;
        }
        Object key = key(scratch);
        byKey.computeIfAbsent(key, k -> new TimeList()).add(e);
        if (arrivals.isEmpty()) {
            firstArrivalTime = e.time();
        }
        arrivals.add(e);
        arrivalKeys.add(key);
    }

    private Object key(String[] vals) {
        return JoinKey.of(statement.matcher().vars, vals);
    }

    /** Forgets events older than {@code cutoff} (for hold, all but the newest of each key). */
    void prune(long cutoff) {
        if (firstArrivalTime >= cutoff) {
            return;
        }
        boolean hold = statement.kind() == Chronicle.Kind.HOLD;
        while (!arrivals.isEmpty() && arrivals.peekFirst().time() < cutoff) {
            Event e = arrivals.pollFirst();
            Object key = arrivalKeys.pollFirst();
            TimeList list = byKey.get(key);
            if (hold) {
                list.trimBefore(cutoff);
            } else {
                list.remove(e);
            }
            if (list.size() == 0) {
                byKey.remove(key);
            }
        }
        firstArrivalTime = arrivals.isEmpty() ? Long.MAX_VALUE : arrivals.peekFirst().time();
    }

    /** Events matching under {@code vals} with time in [from, to), not among {@code bound}; stops past {@code limit}. */
    long count(long from, long to, String[] vals, Event[] bound, long limit) {
        TimeList list = byKey.get(key(vals));
        if (list == null) {
            return 0;
        }
        long n = 0;
        for (int i = list.lowerBound(from); i < list.size(); i++) {
            Event e = list.get(i);
            if (e.time() >= to) {
                break;
            }
            if (!isBound(e, bound) && ++n > limit) {
                return n;
            }
        }
        return n;
    }

    /** Spec §4 hold: the last matching state event at or before {@code ta} is {@code value}, and none in (ta, tb] differs. */
    boolean holds(long ta, long tb, String value, String[] vals) {
        TimeList list = byKey.get(key(vals));
        if (list == null) {
            return false;
        }
        int start = list.lowerBound(ta + 1);
        if (start == 0 || !value.equals(list.get(start - 1).to())) {
            return false;
        }
        for (int i = start; i < list.size(); i++) {
            Event e = list.get(i);
            if (e.time() > tb) {
                break;
            }
            if (!value.equals(e.to())) {
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

    /** Events in (time, arrival) order, removed mostly from the front. */
    private static final class TimeList {
        private Event[] items = new Event[4];
        private int head;
        private int tail;

        int size() {
            return tail - head;
        }

        Event get(int i) {
            return items[head + i];
        }

        void add(Event e) {
            if (tail == items.length) {
                int n = size();
                Event[] next = n * 2 + 2 > items.length ? new Event[n * 2 + 2] : items;
                System.arraycopy(items, head, next, 0, n);
                if (next == items) {
                    Arrays.fill(items, n, tail, null);
                }
                items = next;
                head = 0;
                tail = n;
            }
            int i = tail;
            while (i > head && items[i - 1].time() > e.time()) {
                items[i] = items[i - 1];
                i--;
            }
            items[i] = e;
            tail++;
        }

        void remove(Event e) {
            if (items[head] == e) {
                items[head++] = null;
                return;
            }
            for (int i = head + 1; i < tail; i++) {
                if (items[i] == e) {
                    System.arraycopy(items, i + 1, items, i, tail - i - 1);
                    items[--tail] = null;
                    return;
                }
            }
        }

        /** Drops the events before {@code cutoff} except the newest of them. */
        void trimBefore(long cutoff) {
            while (size() > 1 && items[head + 1].time() < cutoff) {
                items[head++] = null;
            }
        }

        int lowerBound(long time) {
            int lo = 0;
            int hi = size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (get(mid).time() < time) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
