package dev.d2r2.bridge.kafka;

import dev.d2r2.broker.Delivery;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * How a d2r2 event and a Kafka record map onto each other. Out: the key is the event's source (its
 * publisher's identity when it has none), so one source's events keep their order in one partition;
 * the value is the event's JSON line as published; headers carry the type, the event time, the
 * publisher and its sequence, the channel and the offset. In: the value must be an event's JSON
 * line; key and headers are not read.
 */
public final class EventRecords {
    public static final String TYPE = "d2r2-type";
    public static final String TIME = "d2r2-time";
    public static final String PUBLISHER = "d2r2-publisher";
    public static final String SEQUENCE = "d2r2-sequence";
    public static final String CHANNEL = "d2r2-channel";
    public static final String OFFSET = "d2r2-offset";

    private EventRecords() {
    }

    /** The record for one delivered event, already decoded as {@code event}. */
    static ProducerRecord<byte[], byte[]> toRecord(String topic, Delivery d, Event event) {
        String key = event.source() != null ? event.source() : d.publisher();
        RecordHeaders headers = new RecordHeaders();
        headers.add(TYPE, utf8(event.type()));
        headers.add(TIME, utf8(Long.toString(event.time())));
        headers.add(PUBLISHER, utf8(d.publisher()));
        headers.add(SEQUENCE, utf8(Long.toString(d.publisherSeq())));
        headers.add(CHANNEL, utf8(d.channel()));
        headers.add(OFFSET, utf8(Long.toString(d.offset())));
        return new ProducerRecord<>(topic, null, utf8(key), d.payload(), headers);
    }

    /** Checks that a consumed record holds one event; its value is then published as it is. */
    static void check(ConsumerRecord<byte[], byte[]> r) throws EventFormatException {
        byte[] v = r.value();
        if (v == null) {
            throw new EventFormatException("no value (a tombstone)");
        }
        if (v.length > EventCodec.MAX_EVENT_BYTES) {
            throw new EventFormatException("value of " + v.length + " bytes is over the event limit of "
                    + EventCodec.MAX_EVENT_BYTES);
        }
        EventCodec.decode(v, 0, v.length);
    }

    /** A header's text, or null when the record has none by that name. */
    public static String header(org.apache.kafka.common.header.Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
