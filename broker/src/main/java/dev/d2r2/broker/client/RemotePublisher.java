package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.wire.EnvelopeBytes;
import dev.d2r2.broker.wire.UnsealedEnvelope;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A publisher over the network: pipelined PUBLISH frames, cumulative ACKs. Each event's envelope
 * is kept in a {@link ResendBuffer} until acknowledged; after a failover the client reopens the
 * publisher on the new connection and sends the unacknowledged envelopes again, byte for byte
 * and in order, before any new one (so the broker's deduplication recognises those it has). On
 * SI channels the envelope is written from the payload into that buffer, with no envelope object.
 */
final class RemotePublisher implements Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(RemotePublisher.class);
    /** How many bytes of unacknowledged events a publisher keeps before it waits for ACKs. */
    static final int RESEND_BYTES = 16 << 20;

    private final String tag;
    private final ChannelSealer sealer;
    private final RemoteBrokerClient client;
    /** On SI channels, the reusable envelope (null otherwise). */
    private final UnsealedEnvelope unsealed;
    /** Guards the buffer and the link to the connection: the publishing thread and the failover thread take it. */
    private final ReentrantLock lock = new ReentrantLock();
    private final ResendBuffer resend = new ResendBuffer(RESEND_BYTES);
    private final Object ackMonitor = new Object();
    private final Map<Long, BrokerException> refusals = new ConcurrentHashMap<>();
    private volatile Connection connection;
    private int handle;
    private long seq;
    private volatile long acked;
    private volatile BrokerException broken;

    RemotePublisher(String tag, ChannelSealer sealer, RemoteBrokerClient client) {
        this.tag = tag;
        this.sealer = sealer;
        this.client = client;
        this.unsealed = sealer.protection() == Protection.SI ? new UnsealedEnvelope(sealer.publisher()) : null;
    }

    @Override
    public String channel() {
        return tag;
    }

    @Override
    public long publish(Event event) {
        return publish(EventCodec.encode(event));
    }

    @Override
    public long publish(byte[] payload) {
        long s = seq + 1;
        long now = System.currentTimeMillis();
        EnvelopeBytes envelope = unsealed != null ? unsealed.set(s, now, payload) : sealer.seal(s, now, payload);
        while (true) {
            BrokerException f = broken;
            if (f != null) {
                throw f;
            }
            lock.lock();
            try {
                resend.release(acked);
                if (resend.append(s, envelope)) {
                    send(resend.get(s));
                    break;
                }
            } finally {
                lock.unlock();
            }
            awaitAckBeyond(acked);
        }
        seq = s;
        return s;
    }

    /** Writes one envelope to the connection, if there is one (holding the lock); the failover sends it otherwise. */
    private void send(EnvelopeBytes envelope) {
        Connection c = connection;
        if (c == null) {
            return;
        }
        try {
            c.writer.publish(handle, envelope);
        } catch (BrokerException e) {
            connection = null;
            client.lost(c, e);
        }
    }

    /**
     * Links the publisher to a new connection under its new {@code handle} and sends the
     * unacknowledged events again, in order (failover thread); new events wait meanwhile.
     * Returns how many it sent again.
     */
    long relink(Connection c, int newHandle) {
        long resent;
        lock.lock();
        try {
            c.publishers.put(newHandle, this);
            resend.release(acked);
            for (long q = resend.first(); q <= resend.last(); q++) {
                c.writer.publish(newHandle, resend.get(q));
            }
            resent = resend.last() - resend.first() + 1;
            handle = newHandle;
            connection = c;
        } finally {
            lock.unlock();
        }
        c.writer.wantFlush();
        return resent;
    }

    void acked(long s) {
        synchronized (ackMonitor) {
            acked = Math.max(acked, s);
            ackMonitor.notifyAll();
        }
    }

    void refused(long s, BrokerException e) {
        refusals.put(s, e);
        if (refusals.size() > 10_000) {
            refusals.clear();
        }
        LOG.warn("channel {}: event {} refused: {}", tag, s, e.getMessage());
    }

    void failed(BrokerException e) {
        synchronized (ackMonitor) {
            broken = e;
            ackMonitor.notifyAll();
        }
    }

    @Override
    public long acknowledged() {
        return acked;
    }

    /** Waits (a while) for an ACK beyond {@code seen}, or for the publisher to fail. */
    private void awaitAckBeyond(long seen) {
        Connection c = connection;
        if (c != null) {
            c.writer.wantFlush();
        }
        synchronized (ackMonitor) {
            if (acked == seen && broken == null) {
                try {
                    ackMonitor.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerException(ErrorCode.DISCONNECTED, "interrupted");
                }
            }
        }
    }

    @Override
    public void awaitAcknowledged(long s, Duration timeout) throws TimeoutException {
        Connection c = connection;
        if (c != null) {
            c.writer.wantFlush();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (ackMonitor) {
            while (acked < s) {
                if (broken != null) {
                    throw broken;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("event " + s + " on " + tag + " not acknowledged within " + timeout);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(ackMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TimeoutException("interrupted");
                }
            }
        }
        BrokerException refused = refusals.remove(s);
        if (refused != null) {
            throw refused;
        }
    }

    void drain() {
        if (seq > acked && broken == null) {
            try {
                awaitAcknowledged(seq, Duration.ofSeconds(10));
            } catch (TimeoutException | BrokerException e) {
                LOG.warn("channel {}: closing with events unacknowledged: {}", tag, e.getMessage());
            }
        }
    }

    /** This connection's handle, or -1 when the publisher is not linked to {@code c}. */
    int handleOn(Connection c) {
        lock.lock();
        try {
            return connection == c ? handle : -1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        drain();
        client.closed(this);
    }
}
