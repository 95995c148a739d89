package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.security.PayloadOpener;
import dev.d2r2.broker.wire.ControlReply;
import dev.d2r2.broker.wire.ControlRequest;
import dev.d2r2.broker.wire.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/**
 * A subscription over the network; its handler runs on the connection's reader thread. It
 * remembers the offset of the last event it delivered, so that after a failover it resumes on a
 * channel with a log from the offset after it (exactly once: an event at or before it that the
 * new broker sends again is dropped), and on a channel without a log from the live end.
 */
final class RemoteSubscription implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSubscription.class);

    private final String tag;
    private final DeliveryHandler handler;
    /** Given the sealed envelopes as they are, unopened, instead of the handler's deliveries (null: none). */
    private final EnvelopeSink sink;
    /** Given the DIGEST frames of a subscription with digest copies (null: whole copies only). */
    private final DigestSink digestSink;
    /** Whether the broker is to send digests: what a failover asks of the next broker. */
    private volatile boolean digests;
    private final int id;
    private final StartPosition start;
    private final RemoteBrokerClient client;
    private volatile CompletableFuture<PayloadOpener> opener = new CompletableFuture<>();
    /** The broker confirmed it on the client's current connection: a failover resumes it. */
    private volatile boolean confirmed;
    /** Whether the channel has a log: offsets then say where to resume. */
    private volatile boolean logged;
    /** On a channel with a log, the offset of the first event the subscription was to get (-1: unknown). */
    private volatile long firstOffset = -1;
    /** The offset of the last event delivered, whole or as a digest (-1: none); written on the reader thread. */
    private volatile long lastOffset = -1;
    /**
     * The offset of the last event delivered whole (-1: none): a whole copy of an event delivered
     * before as a digest is the broker sending it again as asked, not a duplicate.
     */
    private long lastWhole = -1;

    /** Sealed envelopes of a channel as the broker sends them, with their offsets: a replica reading another's log. */
    @FunctionalInterface
    interface EnvelopeSink {
        void onEnvelope(long offset, Envelope e);
    }

    /** A voted subscriber's copies of events that it only votes with: publisher, sequence number, payload digest. */
    @FunctionalInterface
    interface DigestSink {
        void onDigest(long offset, String publisher, long sequence, byte[] digest);
    }

    RemoteSubscription(String tag, DeliveryHandler handler, EnvelopeSink sink, DigestSink digestSink, int id,
                       StartPosition start, RemoteBrokerClient client) {
        this.tag = tag;
        this.handler = handler;
        this.sink = sink;
        this.digestSink = digestSink;
        this.id = id;
        this.start = start;
        this.client = client;
        this.logged = !(start instanceof StartPosition.Live);
    }

    int id() {
        return id;
    }

    /** Subscribes on {@code c}, from where the subscription stands (its start, or after its last event). */
    void open(Connection c) {
        CompletableFuture<PayloadOpener> o = new CompletableFuture<>();
        opener = o;
        try {
            ControlReply.Subscribed r = subscribe(c, resumeFrom());
            if (r.firstOffset() != null) {
                logged = true;
                if (firstOffset < 0) {
                    firstOffset = r.firstOffset();
                }
            }
            o.complete(new PayloadOpener(tag, r.key()));
        } catch (RuntimeException e) {
            o.complete(null);
            throw e;
        }
    }

    private ControlReply.Subscribed subscribe(Connection c, StartPosition from) {
        return c.requests.call(ControlRequest.Subscribe.of(tag, id, from, digests), ControlReply.Subscribed.class);
    }

    /** Where to start on a new connection. */
    StartPosition resumeFrom() {
        long last = lastOffset;
        if (logged && last >= 0) {
            return StartPosition.fromOffset(last + 1);
        }
        if (logged && firstOffset >= 0) {
            return StartPosition.fromOffset(firstOffset);
        }
        return last >= 0 ? StartPosition.live() : start;
    }

    /** The copies to ask of a broker from now on (the caller tells the current one). */
    void digests(boolean on) {
        if (on && digestSink == null) {
            throw new IllegalStateException("a subscription opened for whole copies has nowhere to take digests");
        }
        digests = on;
    }

    /** On a channel with a log, the offset of the first event the subscription was to get (-1: unknown). */
    long firstOffset() {
        return firstOffset;
    }

    void confirmed() {
        confirmed = true;
    }

    boolean isConfirmed() {
        return confirmed;
    }

    /** Runs on the reader thread, which may get here before the subscribing thread has the key. */
    void deliver(long offset, long time, Envelope e) {
        PayloadOpener o = opener.join();
        if (o == null) {
            return;
        }
        if (logged && offset <= lastWhole) {
            client.droppedDuplicate();
            return;
        }
        lastWhole = offset;
        lastOffset = Math.max(lastOffset, offset);
        if (sink != null) {
            try {
                sink.onEnvelope(offset, e);
            } catch (RuntimeException ex) {
                LOG.warn("channel {}: envelope sink failed on event {}: {}", tag, offset, ex.toString());
            }
            return;
        }
        byte[] payload = o.open(e);
        if (payload == null) {
            LOG.warn("channel {}: event {} does not decrypt under the channel key", tag, offset);
            return;
        }
        try {
            handler.onEvent(new Delivery(tag, offset, e.publisher(), e.sequence(), time, payload, null));
        } catch (RuntimeException ex) {
            LOG.warn("channel {}: subscriber handler failed on event {}: {}", tag, offset, ex.toString());
        }
    }

    /** A DIGEST frame, on the reader thread. */
    void digest(long offset, String publisher, long sequence, byte[] digest) {
        if (opener.join() == null || digestSink == null) {
            return;
        }
        if (logged && offset <= lastOffset) {
            client.droppedDuplicate();
            return;
        }
        lastOffset = offset;
        try {
            digestSink.onDigest(offset, publisher, sequence, digest);
        } catch (RuntimeException ex) {
            LOG.warn("channel {}: digest sink failed on event {}: {}", tag, offset, ex.toString());
        }
    }

    void missing(MissingNotice n) {
        handler.onMissing(n);
    }

    void ended(BrokerException cause) {
        try {
            handler.onClosed(cause);
        } catch (RuntimeException ex) {
            LOG.warn("subscriber handler failed on close: {}", ex.toString());
        }
    }

    @Override
    public String channel() {
        return tag;
    }

    @Override
    public void close() {
        client.closed(this);
    }
}
