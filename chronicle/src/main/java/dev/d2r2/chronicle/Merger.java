package dev.d2r2.chronicle;

import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Inbox;

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
 * It is the chronicle agent's {@link Inbox}: {@code reads} and {@code focused}, the consumers'
 * answers, are asked only on the thread that polls, the recognizer's owning thread.
 */
final class Merger implements Inbox {
    /** How far into the backlog a focused event is looked for. */
    static final int FOCUS_SCAN = 256;

    private final int capacity;
    private final long lateness;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final List<Object> items = new ArrayList<>();
    private final Predicate<String> reads;
    private final Predicate<String> focused;
    private long focusedFirst;
    private long ruleOnDropped;

    Merger(int capacity, long lateness, Predicate<String> reads, Predicate<String> focused) {
        this.capacity = capacity;
        this.lateness = lateness;
        this.reads = reads;
        this.focused = focused;
    }

    /** A producer adds an event or a notice; waits while the buffer is full. */
    @Override
    public void put(Object item) throws InterruptedException {
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

    @Override
    public boolean offer(Object item) {
        lock.lock();
        try {
            if (items.size() >= capacity) {
                return false;
            }
            items.add(item);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The next item for the recognizer, or null after {@code timeoutMs} without one. */
    @Override
    public Object poll(long timeoutMs) throws InterruptedException {
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
                ruleOn();
            }
            int pick = items.size() > 1 ? focusedIndex() : 0;
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
    private int focusedIndex() {
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

    private void ruleOn() {
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
