package dev.d2r2.broker.server;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Acknowledges what sessions took, about {@link #DELAY_NANOS} after they took it: for each due
 * session it writes the logs its publishers appended to, then their ACK frames. One thread for
 * the whole listener, instead of a log write and a socket write per burst per session. It sleeps
 * while no session has acknowledgements waiting.
 */
final class AckFlusher implements AutoCloseable {
    static final long DELAY_NANOS = 1_000_000L;
    private final Queue<SessionAcks> due = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean idle;

    AckFlusher() {
        thread = Thread.ofPlatform().daemon().name("d2r2-ack-flusher").start(this::run);
    }

    /** Queues a session whose acknowledgements were not queued yet. */
    void schedule(SessionAcks s) {
        due.add(s);
        if (idle) {
            idle = false;
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (running) {
            if (due.isEmpty()) {
                idle = true;
                if (due.isEmpty()) {
                    LockSupport.park(this);
                }
                idle = false;
                continue;
            }
            LockSupport.parkNanos(DELAY_NANOS);
            for (int n = due.size(); n > 0; n--) {
                SessionAcks s = due.poll();
                if (s != null) {
                    s.flush();
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
