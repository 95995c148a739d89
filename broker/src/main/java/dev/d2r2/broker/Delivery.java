package dev.d2r2.broker;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;

/**
 * One delivered event. In-process deliveries of unsealed events carry the publisher's
 * {@link Event} object and make bytes only if asked; the others carry the plain payload
 * (decrypted on PKE channels) and decode it on demand.
 */
public final class Delivery {
    private final String channel;
    private final long offset;
    private final String publisher;
    private final long publisherSeq;
    private final long publishTime;
    private final byte[] payload;
    private final Event event;

    public Delivery(String channel, long offset, String publisher, long publisherSeq, long publishTime,
                    byte[] payload, Event event) {
        this.channel = channel;
        this.offset = offset;
        this.publisher = publisher;
        this.publisherSeq = publisherSeq;
        this.publishTime = publishTime;
        this.payload = payload;
        this.event = event;
    }

    public String channel() {
        return channel;
    }

    /** The event's position in its channel: dense from 0. */
    public long offset() {
        return offset;
    }

    /** The identity that published it (authenticated by the broker). */
    public String publisher() {
        return publisher;
    }

    /** The publisher's sequence number for it on this channel. */
    public long publisherSeq() {
        return publisherSeq;
    }

    /** The broker's time when it accepted the event, epoch ms. */
    public long publishTime() {
        return publishTime;
    }

    public byte[] payload() {
        return payload != null ? payload : EventCodec.encode(event);
    }

    public Event event() throws EventFormatException {
        return event != null ? event : EventCodec.decode(payload, 0, payload.length);
    }

    /**
     * The event, with the id {@code channel@offset} when its publisher gave it none: a name every
     * subscriber of the channel gives it alike, so a chronicle's alert can cite the alarms behind
     * it and a dashboard can find them.
     */
    public Event namedEvent() throws EventFormatException {
        Event e = event();
        return e.id() != null ? e : new Event(channel + "@" + offset, e.type(), e.time(), e.source(), e.from(), e.to(), e.attrs());
    }
}
