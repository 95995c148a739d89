package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;

import java.time.Duration;

/** Told when a {@link RemoteBrokerClient} loses its broker and when it has another (on the client's failover thread). */
public interface FailoverListener {
    FailoverListener NONE = new FailoverListener() { };

    /** The connection to {@code address} broke; the client is looking for a broker. */
    default void connectionLost(String address, BrokerException cause) {
    }

    /**
     * The client is connected to {@code to} again, its publishers reopened with their
     * unacknowledged events sent again and its subscriptions resumed; {@code outage} is the time
     * without a broker.
     */
    default void failedOver(String from, String to, Duration outage) {
    }

    /** No broker answered within the policy's patience: the client has failed. */
    default void gaveUp(BrokerException cause) {
    }
}
