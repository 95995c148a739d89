package dev.d2r2.broker.server;

import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.wire.Envelope;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A subscriber's bounded queue on one channel: a ring of (offset, time, envelope). When full it
 * applies the channel's overflow policy; dropped events are remembered as one missing range,
 * reported to the subscriber before its next event.
 */
final class SubscriberQueue {
    enum Offer { QUEUED, DROPPED_OLDEST, DISCONNECT, CLOSED }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final long[] offsets;
    private final long[] times;
    private final Envelope[] envelopes;
    private final OverflowPolicy policy;
    private final Runnable onReady;
    private int head;
    private int size;
    private boolean closed;
    private long missingCount;
    private long missingFromOffset;
    private long missingToOffset;
    private long missingFromTime;
    private long missingToTime;

    SubscriberQueue(int capacity, OverflowPolicy policy, Runnable onReady) {
        this.offsets = new long[capacity];
        this.times = new long[capacity];
        this.envelopes = new Envelope[capacity];
        this.policy = policy;
        this.onReady = onReady;
    }

    Offer offer(long offset, long time, Envelope e) {
        Offer outcome = Offer.QUEUED;
        lock.lock();
        try {
            while (size == envelopes.length && !closed) {
                if (policy == OverflowPolicy.DISCONNECT) {
                    return Offer.DISCONNECT;
                }
                if (policy == OverflowPolicy.DROP_OLDEST) {
                    dropOldest();
                    outcome = Offer.DROPPED_OLDEST;
                    break;
                }
                notFull.awaitUninterruptibly();
            }
            if (closed) {
                return Offer.CLOSED;
            }
            int tail = (head + size) % envelopes.length;
            offsets[tail] = offset;
            times[tail] = time;
            envelopes[tail] = e;
            size++;
        } finally {
            lock.unlock();
        }
        onReady.run();
        return outcome;
    }

    private void dropOldest() {
        if (missingCount == 0) {
            missingFromOffset = offsets[head];
            missingFromTime = times[head];
        }
        missingCount++;
        missingToOffset = offsets[head];
        missingToTime = times[head];
        envelopes[head] = null;
        head = (head + 1) % envelopes.length;
        size--;
    }

    /** Takes the pending missing range, if any. */
    MissingNotice takeMissing(String channel) {
        lock.lock();
        try {
            if (missingCount == 0) {
                return null;
            }
            MissingNotice n = new MissingNotice(channel, missingFromOffset, missingToOffset, missingCount,
                    missingFromTime, missingToTime);
            missingCount = 0;
            return n;
        } finally {
            lock.unlock();
        }
    }

    boolean hasMissing() {
        lock.lock();
        try {
            return missingCount > 0;
        } finally {
            lock.unlock();
        }
    }

    /** Moves the head into {@code slot}; false when empty. */
    boolean poll(Slot slot) {
        lock.lock();
        try {
            if (size == 0) {
                return false;
            }
            slot.offset = offsets[head];
            slot.time = times[head];
            slot.envelope = envelopes[head];
            envelopes[head] = null;
            head = (head + 1) % envelopes.length;
            size--;
            notFull.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return size == 0;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the queue: blocked publishers return at once and later offers are refused. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A reusable holder for one polled entry. */
    static final class Slot {
        long offset;
        long time;
        Envelope envelope;
    }
}
