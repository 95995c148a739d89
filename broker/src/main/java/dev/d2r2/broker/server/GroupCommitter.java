package dev.d2r2.broker.server;

import dev.d2r2.broker.log.SegmentedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit for a channel whose policy is {@code fsync: always}: one thread forces the log
 * while publishers go on appending, and each force covers everything appended before it began.
 * Acknowledgements wait here, not the sessions' reader threads, so a burst of publishers shares
 * one fsync instead of queueing behind one each.
 */
final class GroupCommitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    private record Waiter(long offset, Runnable onDurable) {
    }

    private final SegmentedLog log;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final Thread thread;
    private long durable = -1;
    private boolean running = true;

    GroupCommitter(String channel, SegmentedLog log) {
        this.log = log;
        this.thread = Thread.ofPlatform().daemon().name("d2r2-commit-" + channel).start(this::run);
    }

    /** Runs {@code onDurable} once the record at {@code offset} is on disk (at once if it is). */
    void whenDurable(long offset, Runnable onDurable) {
        synchronized (this) {
            if (offset > durable) {
                waiters.add(new Waiter(offset, onDurable));
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
            } catch (IOException e) {
                LOG.error("fsync failed, acknowledgements held back: {}", e.getMessage());
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
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

    @Override
    public void close() {
        synchronized (this) {
            running = false;
            notifyAll();
        }
    }
}
