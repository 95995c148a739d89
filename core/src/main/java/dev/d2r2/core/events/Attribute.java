package dev.d2r2.core.events;

/**
 * One declared attribute of an event type: its key, the type of its value (String, Long, Double,
 * Boolean), whether every event of the type carries it, and what it means.
 */
public record Attribute(String key, Class<?> valueType, boolean required, String doc) {

    public static Attribute required(String key, Class<?> valueType, String doc) {
        return new Attribute(key, valueType, true, doc);
    }

    public static Attribute optional(String key, Class<?> valueType, String doc) {
        return new Attribute(key, valueType, false, doc);
    }

    /** The name the catalogue gives the value type. */
    public String typeName() {
        return valueType == Long.class ? "integer" : valueType == Double.class ? "number"
                : valueType == Boolean.class ? "boolean" : "string";
    }
}
