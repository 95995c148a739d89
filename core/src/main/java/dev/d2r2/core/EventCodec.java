package dev.d2r2.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON Lines codec for {@link Event}, on Jackson's streaming API (no tree, no reflection).
 * Thread-safe: the factory is shared, parsers and generators are per call.
 */
public final class EventCodec {
    /** Longest accepted event, in bytes of JSON. */
    public static final int MAX_EVENT_BYTES = 1 << 20;

    // Buffers are recycled through a shared pool, not thread-locals: probes and handlers run on
    // virtual threads, each new, for which a thread-local pool would allocate every time.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.sharedLockFreePool())
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8).maxStringLength(MAX_EVENT_BYTES).build())
            .build();

    private EventCodec() {
    }

    public static Event decode(String line) throws EventFormatException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return decode(bytes, 0, bytes.length);
    }

    public static Event decode(byte[] buf, int off, int len) throws EventFormatException {
        if (len > MAX_EVENT_BYTES) {
            throw new EventFormatException("event longer than " + MAX_EVENT_BYTES + " bytes");
        }
        try (JsonParser p = FACTORY.createParser(buf, off, len)) {
            Event event = readEvent(p);
            if (p.nextToken() != null) {
                throw error(p, "trailing data after the event object");
            }
            return event;
        } catch (JsonProcessingException e) {
            throw new EventFormatException("col " + e.getLocation().getColumnNr() + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Event readEvent(JsonParser p) throws IOException, EventFormatException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw error(p, "an event must be a JSON object");
        }
        String id = null;
        String type = null;
        Long time = null;
        String source = null;
        String from = null;
        String to = null;
        Map<String, Object> attrs = Map.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "id" -> id = text(p, value, field);
                case "type" -> type = text(p, value, field);
                case "time" -> time = time(p, value);
                case "source" -> source = text(p, value, field);
                case "from" -> from = text(p, value, field);
                case "to" -> to = text(p, value, field);
                case "attrs" -> attrs = attrs(p, value);
                default -> throw error(p, "unknown field \"" + field + "\"");
            }
        }
        if (type == null || type.isEmpty()) {
            throw error(p, "missing field \"type\"");
        }
        if (time == null) {
            throw error(p, "missing field \"time\"");
        }
        if (from != null && to == null) {
            throw error(p, "a state event with \"from\" needs \"to\"");
        }
        return new Event(id, type, time, source, from, to, attrs);
    }

    private static String text(JsonParser p, JsonToken value, String field)
            throws IOException, EventFormatException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw error(p, "\"" + field + "\" must be a string");
        }
        return p.getText();
    }

    private static long time(JsonParser p, JsonToken value) throws IOException, EventFormatException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (value == JsonToken.VALUE_STRING) {
            try {
                return Instant.parse(p.getText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw error(p, "\"time\" is neither integer milliseconds nor an ISO-8601 instant");
            }
        }
        throw error(p, "\"time\" must be integer milliseconds or an ISO-8601 instant");
    }

    private static Map<String, Object> attrs(JsonParser p, JsonToken value)
            throws IOException, EventFormatException {
        if (value == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (value != JsonToken.START_OBJECT) {
            throw error(p, "\"attrs\" must be an object");
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            Object parsed = switch (v) {
                case VALUE_STRING -> p.getText();
                case VALUE_NUMBER_INT -> p.getLongValue();
                case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                default -> throw error(p, "attribute \"" + key + "\" must be a string, number or boolean");
            };
            attrs.put(key, parsed);
        }
        return attrs;
    }

    private static EventFormatException error(JsonParser p, String message) {
        return new EventFormatException("col " + p.currentLocation().getColumnNr() + ": " + message);
    }

    public static byte[] encode(Event event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        write(event, out);
        return out.toByteArray();
    }

    public static String encodeToString(Event event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    /** Writes the event as one JSON object, without a line terminator. */
    public static void write(Event event, OutputStream out) {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            if (event.id() != null) {
                g.writeStringField("id", event.id());
            }
            g.writeStringField("type", event.type());
            g.writeNumberField("time", event.time());
            if (event.source() != null) {
                g.writeStringField("source", event.source());
            }
            if (event.from() != null) {
                g.writeStringField("from", event.from());
            }
            if (event.to() != null) {
                g.writeStringField("to", event.to());
            }
            if (!event.attrs().isEmpty()) {
                g.writeObjectFieldStart("attrs");
                for (Map.Entry<String, Object> e : event.attrs().entrySet()) {
                    writeAttr(g, e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeAttr(JsonGenerator g, String key, Object value) throws IOException {
        switch (value) {
            case Long l -> g.writeNumberField(key, l);
            case Integer i -> g.writeNumberField(key, i);
            case Double d -> g.writeNumberField(key, d);
            case Float f -> g.writeNumberField(key, f);
            case Boolean b -> g.writeBooleanField(key, b);
            case null -> throw new IllegalArgumentException("attribute " + key + " is null");
            default -> g.writeStringField(key, value.toString());
        }
    }
}
