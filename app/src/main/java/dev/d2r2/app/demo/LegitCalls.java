package dev.d2r2.app.demo;

import dev.d2r2.sip.load.SipLoad;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Legitimate calls' outcomes, by the window their call started in: before, during and after the
 * flood; and when the calls that failed started.
 */
final class LegitCalls implements SipLoad.Listener {
    static final int BEFORE = 0;
    static final int DURING = 1;
    static final int AFTER = 2;

    private final AtomicLongArray ok = new AtomicLongArray(3);
    private final AtomicLongArray all = new AtomicLongArray(3);
    private final AtomicLong dropped = new AtomicLong();
    private volatile long floodStart = Long.MAX_VALUE;
    private volatile long floodEnd = Long.MAX_VALUE;
    /** When each failed call started (epoch ms): failures are few. */
    private final Queue<Long> failedStarts = new ConcurrentLinkedQueue<>();

    void floodStarts(long at) {
        floodStart = at;
    }

    void floodEnds(long at) {
        floodEnd = at;
    }

    @Override
    public void call(long startedMillis, SipLoad.Outcome outcome, long setupMicros) {
        if (outcome != SipLoad.Outcome.OK) {
            failedStarts.add(startedMillis);
        }
        int window = startedMillis < floodStart ? BEFORE : startedMillis < floodEnd ? DURING : AFTER;
        all.incrementAndGet(window);
        if (outcome == SipLoad.Outcome.OK) {
            ok.incrementAndGet(window);
        } else if (outcome == SipLoad.Outcome.DROPPED) {
            dropped.incrementAndGet();
        }
    }

    /** The share of the window's calls that succeeded; null without calls. */
    Double success(int window) {
        long n = all.get(window);
        return n == 0 ? null : (double) ok.get(window) / n;
    }

    long calls() {
        return all.get(BEFORE) + all.get(DURING) + all.get(AFTER);
    }

    long succeeded() {
        return ok.get(BEFORE) + ok.get(DURING) + ok.get(AFTER);
    }

    /** The calls started from {@code from} to {@code to} (epoch ms) that failed: not set up, or their BYE failed. */
    long failedStartedBetween(long from, long to) {
        return failedStarts.stream().filter(t -> t >= from && t <= to).count();
    }

    /** Calls set up whose BYE then failed. */
    long dropped() {
        return dropped.get();
    }
}
