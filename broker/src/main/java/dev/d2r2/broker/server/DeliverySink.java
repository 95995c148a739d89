package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.wire.Envelope;

import java.io.IOException;

/** Where a session's pump hands its deliveries: a local handler or a network connection. */
interface DeliverySink {
    void deliver(ServerSubscription sub, long offset, long time, Envelope envelope) throws IOException;

    void missing(ServerSubscription sub, MissingNotice notice) throws IOException;

    /**
     * Nothing more is ready: flush what was buffered, now or later. Returns 0 when done, else the
     * nanoseconds after which the pump calls again unless more is ready by then.
     */
    long idle() throws IOException;

    /** The broker ended the subscription (disconnect policy, channel gone). */
    void ended(ServerSubscription sub, BrokerException cause);
}
