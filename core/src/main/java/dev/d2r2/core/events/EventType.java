package dev.d2r2.core.events;

import java.util.List;

/**
 * A declared event type: the contract between the module that publishes it and those that consume
 * it. Each mechanism module declares its types in its {@code events} package, and
 * {@code docs/events.md} catalogues every one (a test compares the two).
 *
 * <p>A name ending in {@code *} is a family whose last part is chosen at run time (a metric
 * named by the operator's configuration): {@code resilience.*} covers {@code resilience.mttr}.
 *
 * @param kind       a message event (no state) or a state event ({@code from} → {@code to})
 * @param publisher  the role that publishes it
 * @param channel    the channel it goes on (the configuration key that names it, or a fixed tag)
 * @param source     what the event's {@code source} field names
 * @param example    one event of this type as a JSON line (the catalogue check decodes it)
 */
public record EventType(String name, Kind kind, String publisher, String channel, String source,
                        List<Attribute> attributes, String doc, String example) {

    public enum Kind { MESSAGE, STATE }

    public EventType {
        attributes = List.copyOf(attributes);
    }

    public boolean isFamily() {
        return name.endsWith("*");
    }

    /** Whether an event's type is this one (or a member of this family). */
    public boolean matches(String type) {
        return isFamily() ? type.startsWith(name.substring(0, name.length() - 1)) : type.equals(name);
    }

    public Attribute attribute(String key) {
        for (Attribute a : attributes) {
            if (a.key().equals(key)) {
                return a;
            }
        }
        throw new IllegalArgumentException(name + " declares no attribute " + key);
    }
}
