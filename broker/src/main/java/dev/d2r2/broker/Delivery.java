package dev.d2r2.broker;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;

/**
 * One delivered event.
 *
 * @param offset the event's position in the channel (dense from 0 per channel)
 * @param publishTime the broker's time when it accepted the event, epoch ms
 * @param payload the plain payload (decrypted for PKE channels)
 */
public record Delivery(String channel, long offset, String publisher, long publisherSeq, long publishTime,
                       byte[] payload) {
    /** Decodes the payload as an event. */
    public Event event() throws EventFormatException {
        return EventCodec.decode(payload, 0, payload.length);
    }
}
