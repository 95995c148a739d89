package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * What a subscription to one channel on several replicas at once is made of, whatever it makes of
 * their copies ({@link ForwardedSubscription}, {@link VotedSubscription}): one subscription per
 * replica, opened all or none and closed together; the subscriber's handler, whose failure on an
 * event is logged and does not stop the others; and the end, told to the handler once, when too
 * few replicas still deliver.
 */
abstract class ReplicaSubscriptions implements Subscription {
    private final Logger log = LoggerFactory.getLogger(getClass());
    final String tag;
    private final DeliveryHandler handler;
    private final int fewestLive;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private int ended;
    /** Guarded by this. */
    boolean closed;

    /** {@code fewestLive}: with that many replicas still delivering, the subscription has ended. */
    ReplicaSubscriptions(String tag, int fewestLive, DeliveryHandler handler) {
        this.tag = tag;
        this.fewestLive = fewestLive;
        this.handler = handler;
    }

    /** Subscribes on each of {@code replicas} in turn; when one fails, closes those made and throws. */
    final void subscribe(List<? extends BrokerClient> replicas, StartPosition start) {
        try {
            for (int i = 0; i < replicas.size(); i++) {
                subscriptions.add(subscribe(i, replicas.get(i), start, new Replica(i)));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Subscribes on one replica: for its whole copies, unless the subclass asks for others. */
    Subscription subscribe(int replica, BrokerClient client, StartPosition start, Replica handler) {
        return client.subscribe(tag, start, handler);
    }

    /** The subscription on {@code replica}. */
    final Subscription subscription(int replica) {
        return subscriptions.get(replica);
    }

    /** A copy of an event from {@code replica}, on its connection's reader thread. */
    abstract void copy(int replica, Delivery d);

    /** A digest copy from {@code replica} (publisher, sequence number, payload digest), on its reader thread. */
    void digest(int replica, long offset, String publisher, long sequence, byte[] digest) {
        throw new IllegalStateException(getClass().getSimpleName() + " subscribes to whole copies only");
    }

    /** Why the subscription ended, once fewer replicas than needed still deliver. */
    abstract BrokerException exhausted();

    /** Hands an event to the subscriber's handler. */
    final void deliver(Delivery d) {
        try {
            handler.onEvent(d);
        } catch (RuntimeException e) {
            log.warn("channel {}: subscriber handler failed on {}#{}: {}", tag, d.publisher(), d.publisherSeq(), e.toString());
        }
    }

    private void replicaEnded(int replica, BrokerException cause) {
        boolean last;
        synchronized (this) {
            ended++;
            last = !closed && subscriptions.size() - ended == fewestLive;
        }
        log.warn("channel {}: replica {} ended the subscription: {}", tag, replica, cause.getMessage());
        if (last) {
            handler.onClosed(exhausted());
        }
    }

    @Override
    public final String channel() {
        return tag;
    }

    @Override
    public final void close() {
        synchronized (this) {
            closed = true;
        }
        for (Subscription s : subscriptions) {
            try {
                s.close();
            } catch (BrokerException e) {
                log.debug("unsubscribe from a replica: {}", e.getMessage());
            }
        }
    }

    /** One replica's stream of deliveries. */
    final class Replica implements DeliveryHandler, RemoteSubscription.DigestSink {
        private final int index;

        Replica(int index) {
            this.index = index;
        }

        @Override
        public void onEvent(Delivery d) {
            copy(index, d);
        }

        @Override
        public void onDigest(long offset, String publisher, long sequence, byte[] digest) {
            ReplicaSubscriptions.this.digest(index, offset, publisher, sequence, digest);
        }

        @Override
        public void onClosed(BrokerException cause) {
            replicaEnded(index, cause);
        }
    }
}
