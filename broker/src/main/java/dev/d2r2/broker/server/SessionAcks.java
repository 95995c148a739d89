package dev.d2r2.broker.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A session's group commit: acknowledges each burst's events once they are durable. Publishers
 * with events to acknowledge are queued for the {@link AckFlusher}, which within about
 * {@link AckFlusher#DELAY_NANOS} writes their channels' logs to the file and then their ACK
 * frames: a steady stream of small bursts costs one log write and one socket write per
 * millisecond instead of one per burst (small writes to a growing file cost several times more
 * per byte than large ones). Channels with {@code fsync: always} acknowledge after their
 * {@link GroupCommitter}'s force instead.
 */
final class SessionAcks {
    private static final Logger LOG = LoggerFactory.getLogger(SessionAcks.class);

    private final SessionWriter writer;
    private final AckFlusher flusher;
    private final String client;
    private final Consumer<ChannelRuntime> onLogFailure;
    /** Publishers that published in the current burst (reader thread only). */
    private final Set<OpenPublisher> unacked = new HashSet<>();
    /** (publisher handle, sequence) pairs that are durable and wait for the ACK flusher to send them. */
    private final Queue<long[]> durable = new ConcurrentLinkedQueue<>();
    /** Publishers whose events were published and wait for the ACK flusher to be acknowledged. */
    private final Queue<OpenPublisher> due = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    SessionAcks(SessionWriter writer, AckFlusher flusher, String client, Consumer<ChannelRuntime> onLogFailure) {
        this.writer = writer;
        this.flusher = flusher;
        this.client = client;
        this.onLogFailure = onLogFailure;
    }

    /** {@code p} published {@code seq} at {@code offset} (reader thread); a negative offset: refused or taken before. */
    void published(OpenPublisher p, long seq, long offset) {
        p.lastSeq = seq;
        if (offset >= 0) {
            p.lastOffset = offset;
        }
        unacked.add(p);
    }

    /** The reader has no more input for now: queue what it took for acknowledgement. */
    void endOfBurst() {
        if (unacked.isEmpty()) {
            return;
        }
        for (OpenPublisher p : unacked) {
            if (p.channel.syncsBeforeAck()) {
                int handle = p.handle;
                long seq = p.lastSeq;
                ChannelRuntime channel = p.channel;
                channel.whenDurable(p.lastOffset, () -> {
                    durable.add(new long[]{handle, seq});
                    schedule();
                }, () -> onLogFailure.accept(channel));
            } else {
                p.ackDue = p.lastSeq;
                if (!p.queued.getAndSet(true)) {
                    due.add(p);
                }
            }
        }
        unacked.clear();
        if (!due.isEmpty()) {
            schedule();
        }
    }

    /** The outcome of {@code handle}'s event {@code seq} on a replicated channel: acknowledged once committed. */
    EventReplication.Outcome whenCommitted(int handle, long seq, Consumer<String> onFailure) {
        return new EventReplication.Outcome() {
            @Override
            public void committed() {
                durable.add(new long[]{handle, seq});
                schedule();
            }

            @Override
            public void failed(String reason) {
                onFailure.accept(reason);
            }
        };
    }

    private void schedule() {
        if (!scheduled.getAndSet(true)) {
            flusher.schedule(this);
        }
    }

    /**
     * Writes the due publishers' logs, then their ACK frames, and flushes; called by the
     * {@link AckFlusher}. The logs are written before the connection is locked, so deliveries
     * are not held up by the file. A log that cannot be written ends the session, so its
     * publisher learns that its unacknowledged events may be lost.
     */
    void flush() {
        scheduled.set(false);
        OpenPublisher p;
        while ((p = due.poll()) != null) {
            p.queued.set(false);
            long seq = p.ackDue;
            if (!writeLog(p.channel)) {
                onLogFailure.accept(p.channel);
                return;
            }
            durable.add(new long[]{p.handle, seq});
        }
        if (durable.isEmpty()) {
            return;
        }
        try {
            if (!writer.tryAcks(durable)) {
                schedule();
            }
        } catch (IOException e) {
            LOG.debug("flushing acks to {}: {}", client, e.toString());
        }
    }

    private boolean writeLog(ChannelRuntime channel) {
        try {
            channel.flushLog();
            return true;
        } catch (IOException e) {
            channel.health().failed("write", e);
            LOG.debug("channel {}: closing the session of {} with events unacknowledged: {}", channel.tag(), client,
                    e.toString());
            return false;
        }
    }
}
