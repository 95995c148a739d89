package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.wire.EventWindow;

import java.util.List;

/**
 * A subscription to a {@code forwarded} channel (crash faults) on several replicas at once: the
 * first copy of each event, by publisher and sequence number, is delivered, and the copies the
 * other replicas deliver later are dropped and counted ({@link #duplicates()}). So a subscriber
 * keeps receiving, once each, while any one of its replicas lives.
 *
 * <p>The filter is an {@link EventWindow} of the last {@code window} events delivered: a replica
 * whose copy of an event comes more than {@code window} events after the first copy would
 * deliver it again. Each replica delivers each publisher's events in order, so the first copies
 * keep that order. The handler runs on one replica connection's reader thread at a time; no
 * allocation per event beyond what the connections make.
 */
public final class ForwardedSubscription extends ReplicaSubscriptions {
    private final EventWindow seen;
    private long delivered;
    private long duplicates;

    private ForwardedSubscription(String tag, int window, DeliveryHandler handler) {
        super(tag, 0, handler);
        this.seen = new EventWindow(window);
    }

    /** Subscribes on each of {@code replicas} (one client per replica). */
    public static ForwardedSubscription open(List<? extends BrokerClient> replicas, String tag, StartPosition start,
                                             DeliveryHandler handler) {
        return open(replicas, tag, start, EventWindow.SIZE, handler);
    }

    public static ForwardedSubscription open(List<? extends BrokerClient> replicas, String tag, StartPosition start,
                                             int window, DeliveryHandler handler) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("a forwarded subscription needs at least one replica");
        }
        ForwardedSubscription s = new ForwardedSubscription(tag, window, handler);
        s.subscribe(replicas, start);
        return s;
    }

    @Override
    synchronized void copy(int replica, Delivery d) {
        if (closed) {
            return;
        }
        if (!seen.take(d.publisher(), d.publisherSeq(), 0)) {
            duplicates++;
            return;
        }
        delivered++;
        deliver(d);
    }

    @Override
    BrokerException exhausted() {
        return new BrokerException(ErrorCode.DISCONNECTED, "no replica delivers channel " + tag + " any more");
    }

    /** Events delivered: first copies. */
    public synchronized long delivered() {
        return delivered;
    }

    /** Later copies dropped. */
    public synchronized long duplicates() {
        return duplicates;
    }
}
