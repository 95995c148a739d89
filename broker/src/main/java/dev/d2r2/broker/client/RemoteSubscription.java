package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.security.PayloadOpener;
import dev.d2r2.broker.wire.ControlReply;
import dev.d2r2.broker.wire.ControlRequest;
import dev.d2r2.broker.wire.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A subscription over the network; its handler runs on the connection's reader thread. */
final class RemoteSubscription implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSubscription.class);

    private final String tag;
    private final DeliveryHandler handler;
    private final int id;
    private final PendingRequests requests;
    private final Map<Integer, RemoteSubscription> subscriptions;
    private final CompletableFuture<PayloadOpener> opener = new CompletableFuture<>();

    RemoteSubscription(String tag, DeliveryHandler handler, int id, PendingRequests requests,
                       Map<Integer, RemoteSubscription> subscriptions) {
        this.tag = tag;
        this.handler = handler;
        this.id = id;
        this.requests = requests;
        this.subscriptions = subscriptions;
    }

    int id() {
        return id;
    }

    void opened(PayloadOpener o) {
        opener.complete(o);
    }

    /** Runs on the reader thread, which may get here before the subscribing thread has the key. */
    void deliver(long offset, long time, Envelope e) {
        PayloadOpener o = opener.join();
        if (o == null) {
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
        if (subscriptions.remove(id) != null) {
            requests.call(new ControlRequest.Unsubscribe(id), ControlReply.Done.class);
        }
    }
}
