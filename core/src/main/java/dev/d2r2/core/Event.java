package dev.d2r2.core;

import java.util.Map;
import java.util.Objects;

/**
 * A time-stamped event: exactly the fields of the chronicle language §1, so that what a probe
 * publishes is what a chronicle matches.
 *
 * <p>{@code time} is in milliseconds (epoch or any origin). {@code from} and {@code to} are set on
 * state events only; a message event carries neither. Attribute values are {@link String},
 * {@link Long}, {@link Double} or {@link Boolean}.
 */
public record Event(String id, String type, long time, String source, String from, String to,
                    Map<String, Object> attrs) {

    public Event {
        Objects.requireNonNull(type, "type");
        if (type.isEmpty()) {
            throw new IllegalArgumentException("type must not be empty");
        }
        attrs = attrs == null ? Map.of() : attrs;
    }

    public static Event message(String type, long time, String source, Map<String, Object> attrs) {
        return new Event(null, type, time, source, null, null, attrs);
    }

    public static Event state(String type, long time, String source, String from, String to,
                              Map<String, Object> attrs) {
        return new Event(null, type, time, source, from, Objects.requireNonNull(to, "to"), attrs);
    }

    public boolean isState() {
        return to != null;
    }
}
