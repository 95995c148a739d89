package dev.d2r2.chronicle;

import dev.d2r2.core.Event;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * TESS merger for the broker role: the buffer where the producers (one per channel) put events
 * and Missing-Event notices, and from which the recognizer's thread takes them. It applies the
 * two control messages that concern a buffer:
 * <ul>
 * <li>{@code Focus}: when a backlog has formed, an event that partial instances wait for is taken
 * before the events ahead of it, as long as it is no more than the lateness ahead of each of
 * them (so the reordering never makes an event late);</li>
 * <li>{@code Rule-On}: when the buffer is full, events of types no chronicle reads are dropped
 * from it (counted) before the producers are made to wait.</li>
 * </ul>
 */
final class Merger {
    /** How far into the backlog a focused event is looked for. */
    static final int FOCUS_SCAN = 256;

    private final int capacity;
    private final long lateness;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final List<Object> items = new ArrayList<>();
    private long focusedFirst;
    private long ruleOnDropped;

    Merger(int capacity, long lateness) {
        this.capacity = capacity;
        this.lateness = lateness;
    }

    /** A producer adds an event or a notice; waits while the buffer is full. */
    void put(Object item) throws InterruptedException {
        lock.lock();
        try {
            while (items.size() >= capacity) {
                notFull.await();
            }
            items.add(item);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next item for the recognizer, or null after {@code timeoutMs} without one.
     * {@code reads} and {@code focused} are the consumers' answers (called on this thread).
     */
    Object take(long timeoutMs, Predicate<String> reads, Predicate<String> focused) throws InterruptedException {
        lock.lock();
        try {
            long wait = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (items.isEmpty()) {
                if (wait <= 0) {
                    return null;
                }
                wait = notEmpty.awaitNanos(wait);
            }
            if (items.size() >= capacity) {
                ruleOn(reads);
            }
            int pick = items.size() > 1 ? focusedIndex(focused) : 0;
            if (pick > 0) {
                focusedFirst++;
            }
            Object item = items.remove(pick);
            notFull.signal();
            return item;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The first focused event that can be taken before the events ahead of it without making any
     * of them late (its time is within the lateness of each), not past a Missing-Event notice
     * (which must reach the recognizer first); 0 for the head.
     */
    private int focusedIndex(Predicate<String> focused) {
        if (!(items.getFirst() instanceof Event head) || focused.test(head.type())) {
            return 0;
        }
        long earliestAhead = head.time();
        int end = Math.min(items.size(), FOCUS_SCAN);
        for (int i = 1; i < end; i++) {
            if (!(items.get(i) instanceof Event e)) {
                return 0;
            }
            if (focused.test(e.type()) && e.time() - lateness <= earliestAhead) {
                return i;
            }
            earliestAhead = Math.min(earliestAhead, e.time());
        }
        return 0;
    }

    private void ruleOn(Predicate<String> reads) {
        int before = items.size();
        items.removeIf(x -> x instanceof Event e && !reads.test(e.type()));
        ruleOnDropped += before - items.size();
        if (items.size() < before) {
            notFull.signalAll();
        }
    }

    long focusedFirst() {
        lock.lock();
        try {
            return focusedFirst;
        } finally {
            lock.unlock();
        }
    }

    long ruleOnDropped() {
        lock.lock();
        try {
            return ruleOnDropped;
        } finally {
            lock.unlock();
        }
    }
}
