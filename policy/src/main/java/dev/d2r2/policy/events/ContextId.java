package dev.d2r2.policy.events;

import dev.d2r2.core.EventFormatException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names one instance of a context: the context's name and the parameters its activating event
 * bound, written {@code flooding{attacker=198.51.100.7,edge=edge-1}} (just {@code nominal} without
 * parameters). The text is the instance's id on the wire; {@link #parse} reads it back. A
 * {@code \}, {@code ,}, {@code =}, <code>{</code> or <code>}</code> inside a name or value is
 * escaped with {@code \}, so every id reads back to the instance that wrote it.
 */
public final class ContextId {
    private final String name;
    private final Map<String, String> params;
    /** Written once: the engine keys its tables by it. */
    private final String id;

    public ContextId(String name, Map<String, String> params) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a context id needs a name");
        }
        this.name = name;
        this.params = params.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.id = write(name, this.params);
    }

    public static ContextId of(String name) {
        return new ContextId(name, Map.of());
    }

    public String name() {
        return name;
    }

    /** The parameters, in the order the context binds them. */
    public Map<String, String> params() {
        return params;
    }

    /** The id as written on the wire. */
    public String id() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContextId c && c.name.equals(name) && c.params.equals(params);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + params.hashCode();
    }

    private static String write(String name, Map<String, String> params) {
        StringBuilder b = new StringBuilder();
        escape(name, b);
        if (params.isEmpty()) {
            return b.toString();
        }
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            escape(p.getKey(), b);
            b.append('=');
            escape(p.getValue(), b);
        }
        return b.append('}').toString();
    }

    /** Reads an id written by {@link #id()}. */
    public static ContextId parse(String text) throws EventFormatException {
        Reader r = new Reader(text);
        String name = r.until("{");
        Map<String, String> params = new LinkedHashMap<>();
        if (r.more()) {
            r.expect('{');
            while (true) {
                String key = r.until("=");
                r.expect('=');
                params.put(key, r.until(",}"));
                if (r.next() == '}') {
                    break;
                }
            }
            if (r.more()) {
                throw r.error("text after '}'");
            }
        }
        if (name.isEmpty()) {
            throw r.error("no context name");
        }
        return new ContextId(name, params);
    }

    @Override
    public String toString() {
        return id();
    }

    private static void escape(String s, StringBuilder b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == ',' || c == '=' || c == '{' || c == '}') {
                b.append('\\');
            }
            b.append(c);
        }
    }

    private static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        boolean more() {
            return at < text.length();
        }

        char next() throws EventFormatException {
            if (!more()) {
                throw error("unexpected end");
            }
            return text.charAt(at++);
        }

        void expect(char c) throws EventFormatException {
            if (next() != c) {
                throw error("expected '" + c + "'");
            }
        }

        /** Unescaped text up to one of {@code stops} (not consumed) or the end. */
        String until(String stops) throws EventFormatException {
            StringBuilder b = new StringBuilder();
            while (more() && stops.indexOf(text.charAt(at)) < 0) {
                char c = text.charAt(at++);
                b.append(c == '\\' ? next() : c);
            }
            return b.toString();
        }

        EventFormatException error(String what) {
            return new EventFormatException("context id \"" + text + "\": " + what + " at " + at);
        }
    }
}
