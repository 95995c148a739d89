package dev.d2r2.broker;

import dev.d2r2.core.Event;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Publishes on one channel. Publishing is pipelined: {@link #publish} returns the event's sequence
 * number at once, and {@link #acknowledged()} tells how far the broker has acknowledged (an
 * acknowledged event is in every subscriber queue and, on a persistent channel, in the log).
 * Not thread-safe: one publishing thread per publisher.
 */
public interface Publisher extends AutoCloseable {
    String channel();

    /** Publishes an event; returns its sequence number (1, 2, ...). */
    long publish(Event event);

    /** Publishes an opaque payload (the JSON of an event, normally). */
    long publish(byte[] payload);

    /** The highest sequence number the broker has acknowledged, with all before it. */
    long acknowledged();

    /** Waits until {@code seq} is acknowledged; throws the broker's refusal if it was refused. */
    void awaitAcknowledged(long seq, Duration timeout) throws TimeoutException;

    @Override
    void close();
}
