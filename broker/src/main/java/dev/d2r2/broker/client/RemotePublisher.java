package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.wire.ControlReply;
import dev.d2r2.broker.wire.ControlRequest;
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

/**
 * A publisher over the network: pipelined PUBLISH frames, cumulative ACKs. On SI channels its
 * envelopes are written straight to the connection (no envelope object, no payload copy).
 */
final class RemotePublisher implements Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(RemotePublisher.class);

    private final String tag;
    private final int handle;
    private final ChannelSealer sealer;
    private final ClientWriter writer;
    private final PendingRequests requests;
    private final Map<Integer, RemotePublisher> publishers;
    /** On SI channels, the reusable envelope (null otherwise). */
    private final UnsealedEnvelope unsealed;
    private final Object ackMonitor = new Object();
    private final Map<Long, BrokerException> refusals = new ConcurrentHashMap<>();
    private long seq;
    private volatile long acked;
    private volatile BrokerException broken;

    RemotePublisher(String tag, int handle, ChannelSealer sealer, ClientWriter writer, PendingRequests requests,
                    Map<Integer, RemotePublisher> publishers) {
        this.tag = tag;
        this.handle = handle;
        this.sealer = sealer;
        this.writer = writer;
        this.requests = requests;
        this.publishers = publishers;
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
        BrokerException f = broken;
        if (f != null) {
            throw f;
        }
        long s = seq + 1;
        long now = System.currentTimeMillis();
        writer.publish(handle, unsealed != null ? unsealed.set(s, now, payload) : sealer.seal(s, now, payload));
        seq = s;
        return s;
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

    @Override
    public void awaitAcknowledged(long s, Duration timeout) throws TimeoutException {
        writer.wantFlush();
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

    @Override
    public void close() {
        drain();
        if (publishers.remove(handle) != null && broken == null) {
            requests.call(new ControlRequest.ClosePublisher(handle), ControlReply.Done.class);
        }
    }
}
