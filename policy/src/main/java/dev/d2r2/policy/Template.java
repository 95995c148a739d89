package dev.d2r2.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A text with {@code ${name}} placeholders, filled from a context's parameters and the rule's subject. */
public final class Template {
    /** A literal piece, or the placeholder {@code variable} when that is set. */
    private record Part(String literal, String variable) {
    }

    private final List<Part> parts;

    private Template(List<Part> parts) {
        this.parts = parts;
    }

    /** Parses {@code text}; every placeholder must be one of {@code known}. */
    public static Template parse(String text, Set<String> known) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf("${", i);
            if (open < 0) {
                parts.add(new Part(text.substring(i), null));
                break;
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed ${ in \"" + text + "\"");
            }
            String name = text.substring(open + 2, close);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("\"" + text + "\" uses ${" + name + "}, which is not defined here (defined: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
            parts.add(new Part(text.substring(i, open), null));
            parts.add(new Part(null, name));
            i = close + 1;
        }
        return new Template(List.copyOf(parts));
    }

    public String fill(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            out.append(p.variable() == null ? p.literal() : values.getOrDefault(p.variable(), ""));
        }
        return out.toString();
    }
}
