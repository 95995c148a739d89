package dev.d2r2.chronicle;

import dev.d2r2.chronicle.lang.Parser;
import dev.d2r2.core.Event;

/** Event values as the chronicle language compares them: text, integers without decimals. */
final class Values {
    private Values() {
    }

    /** The value of {@code key} in {@code e} ({@code source} is the event's source field), or null. */
    static String of(Event e, String key) {
        if (key.equals("source")) {
            return e.source();
        }
        Object v = e.attrs().get(key);
        return v == null ? null : canonical(v);
    }

    static String canonical(Object v) {
        return switch (v) {
            case String s -> s;
            case Long l -> Long.toString(l);
            case Integer i -> Integer.toString(i);
            case Double d -> Parser.canonicalNumber(d);
            default -> String.valueOf(v);
        };
    }
}
