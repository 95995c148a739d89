package dev.d2r2.core.events;

import java.util.List;

/**
 * A declared event type: the contract between the module that publishes it and those that consume
 * it. Each mechanism module declares its types in its {@code events} package, and
 * {@code docs/events.md} catalogues every one (a test compares the two).
 *
 * <p>A name ending in {@code *} is a family whose last part is chosen at run time (a metric
 * named by the operator's configuration): {@code resilience.*} covers {@code resilience.mttr}.
 * A part in angle brackets stands for any non-empty text: {@code <probe>.<value>} covers
 * {@code tcp.connect_ms}, and {@code <metric>} any name at all — for the families whose whole
 * name is chosen by configuration, and which would otherwise all be {@code *}.
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
        int open = name.indexOf('<');
        while (open >= 0) {
            int close = name.indexOf('>', open);
            if (close < open + 2) {
                throw new IllegalArgumentException("event type " + name + ": a '<' needs a name and a closing '>'");
            }
            open = name.indexOf('<', close);
        }
    }

    public boolean isFamily() {
        return name.endsWith("*") || name.indexOf('<') >= 0;
    }

    /** Whether an event's type is this one (or a member of this family). */
    public boolean matches(String type) {
        return isFamily() ? matches(type, 0, 0) : type.equals(name);
    }

    private boolean matches(String type, int at, int in) {
        while (at < name.length()) {
            char c = name.charAt(at);
            if (c == '*' && at == name.length() - 1) {
                return true;
            }
            if (c == '<') {
                int next = name.indexOf('>', at) + 1;
                for (int end = in + 1; end <= type.length(); end++) {
                    if (matches(type, next, end)) {
                        return true;
                    }
                }
                return false;
            }
            if (in >= type.length() || type.charAt(in) != c) {
                return false;
            }
            at++;
            in++;
        }
        return in == type.length();
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
