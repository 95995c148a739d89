package dev.d2r2.broker.wire;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A network publisher's reusable view of its next unsealed (SI) envelope: the bytes
 * {@link Envelope#build} makes for SI, written with no envelope object and no copy of the payload.
 * One per publisher, used on its thread.
 */
public final class UnsealedEnvelope implements EnvelopeBytes {
    private final byte[] publisher;
    private long sequence;
    private long publisherTime;
    private byte[] payload;

    public UnsealedEnvelope(String publisher) {
        this.publisher = publisher.getBytes(StandardCharsets.UTF_8);
    }

    public UnsealedEnvelope set(long sequence, long publisherTime, byte[] payload) {
        this.sequence = sequence;
        this.publisherTime = publisherTime;
        this.payload = payload;
        return this;
    }

    @Override
    public int length() {
        return Envelope.unsealedLength(publisher, payload.length);
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        Envelope.writeUnsealed(out, publisher, sequence, publisherTime, payload);
    }
}
