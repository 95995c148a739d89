package dev.d2r2.policy.config;

import dev.d2r2.core.config.InvalidAt;

import java.util.Map;

/**
 * Which events a context reacts to: the event type, optionally its source, state change and
 * attribute values (all compared as text), and {@code bind}: context parameters taken from the
 * event's attributes (or from its fields {@code source}, {@code type}, {@code id}, {@code from},
 * {@code to}).
 */
public record MatchConfig(String type, String source, String from, String to, Map<String, String> attrs,
                          Map<String, String> bind) {
    public MatchConfig {
        if (type == null || type.isBlank()) {
            throw new InvalidAt("a match needs an event type", "type");
        }
        attrs = attrs == null ? Map.of() : Map.copyOf(attrs);
        bind = bind == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(bind));
    }
}
