package dev.d2r2.core.agent;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What other threads hand an agent. Most agents take the {@link #bounded} queue; a role with its
 * own ordering rules (the chronicle role's merger) supplies its own.
 */
public interface Inbox {
    /** Adds a message, waiting while the inbox is full (back-pressure to the caller). */
    void put(Object message) throws InterruptedException;

    /** Adds a message if there is room; false when the inbox is full. */
    boolean offer(Object message);

    /** The next message, or null once {@code timeoutMillis} have passed without one. */
    Object poll(long timeoutMillis) throws InterruptedException;

    static Inbox bounded(int capacity) {
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(capacity);
        return new Inbox() {
            @Override
            public void put(Object message) throws InterruptedException {
                queue.put(message);
            }

            @Override
            public boolean offer(Object message) {
                return queue.offer(message);
            }

            @Override
            public Object poll(long timeoutMillis) throws InterruptedException {
                return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            }
        };
    }
}
