package dev.d2r2.broker.server;

import dev.d2r2.broker.log.SegmentedLog;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit for a channel whose policy is {@code fsync: always}: one thread forces the log
 * while publishers go on appending, and each force covers everything appended before it began.
 * Acknowledgements wait here, not the sessions' reader threads, so a burst of publishers shares
 * one fsync instead of queueing behind one each.
 */
final class GroupCommitter implements AutoCloseable {
    /** After a failed force, when the next is tried (acknowledgements wait meanwhile). */
    private static final long RETRY_NANOS = 100_000_000L;

    private record Waiter(long offset, Runnable onDurable, Runnable onFailed) {
    }

    private final SegmentedLog log;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final Thread thread;
    private long durable = -1;
    private boolean running = true;

    private final LogHealth health;

    GroupCommitter(String channel, SegmentedLog log, LogHealth health) {
        this.log = log;
        this.health = health;
        this.thread = Thread.ofPlatform().daemon().name("d2r2-commit-" + channel).start(this::run);
    }

    /**
     * Runs {@code onDurable} once the record at {@code offset} is on disk (at once if it is), or
     * {@code onFailed} if the log failed a write and so never will have it.
     */
    void whenDurable(long offset, Runnable onDurable, Runnable onFailed) {
        synchronized (this) {
            if (offset > durable) {
                waiters.add(new Waiter(offset, onDurable, onFailed));
                notifyAll();
                return;
            }
        }
        onDurable.run();
    }

    private void run() {
        while (true) {
            long target;
            synchronized (this) {
                while (running && waiters.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!running) {
                    return;
                }
                target = log.nextOffset() - 1;
            }
            try {
                log.sync();
                health.works();
            } catch (IOException e) {
                health.failed("fsync", e);
                if (log.failed()) {
                    failWaiters();
                } else {
                    LockSupport.parkNanos(RETRY_NANOS);
                }
                continue;
            }
            List<Runnable> done = new ArrayList<>();
            synchronized (this) {
                durable = Math.max(durable, target);
                while (!waiters.isEmpty() && waiters.peek().offset() <= durable) {
                    done.add(waiters.poll().onDurable());
                }
            }
            done.forEach(Runnable::run);
        }
    }

    /** The log takes no more writes: what waits for a force never gets one. */
    private void failWaiters() {
        List<Runnable> failed = new ArrayList<>();
        synchronized (this) {
            while (!waiters.isEmpty()) {
                failed.add(waiters.poll().onFailed());
            }
        }
        failed.forEach(Runnable::run);
    }

    @Override
    public void close() {
        synchronized (this) {
            running = false;
            notifyAll();
        }
    }
}
