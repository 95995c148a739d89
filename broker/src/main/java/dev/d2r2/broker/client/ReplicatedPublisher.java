package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerClient;

import java.util.List;

/**
 * Publishes each event to every replica of a Byzantine cluster (n = 3f + 1). An event is
 * acknowledged once 2f + 1 replicas acknowledged it: then at least f + 1 correct replicas hold
 * it, enough for a {@link VotedSubscription} to deliver it. With fewer than 2f + 1 replicas
 * left, publishing fails. Not thread-safe: one publishing thread.
 */
public final class ReplicatedPublisher extends FanOutPublisher {

    private ReplicatedPublisher(String tag, int f, List<? extends BrokerClient> clients) {
        super(tag, 2 * f + 1, openAll(clients, tag));
    }

    /** Opens a publisher on {@code tag} at every replica of {@code clients} (n ≥ 3f + 1, one client per replica). */
    public static ReplicatedPublisher open(List<? extends BrokerClient> clients, int f, String tag) {
        if (f < 0 || clients.size() < 3 * f + 1) {
            throw new IllegalArgumentException(clients.size() + " replicas cannot tolerate f = " + f + " Byzantine faults");
        }
        return new ReplicatedPublisher(tag, f, clients);
    }
}
