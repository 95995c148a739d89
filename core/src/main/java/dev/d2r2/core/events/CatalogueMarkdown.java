package dev.d2r2.core.events;

import java.util.List;

/**
 * Renders the declared event types as {@code docs/events.md}: the catalogue is generated from the
 * declarations, so the page and the code cannot drift apart (a test compares them).
 */
public final class CatalogueMarkdown {
    private CatalogueMarkdown() {
    }

    public static String render(List<EventCatalogue> catalogues) {
        StringBuilder out = new StringBuilder();
        out.append("# Events\n\n");
        out.append("Every event type d2r2's modules publish or accept, generated from the declarations in each\n");
        out.append("module's `events` package (`EventCatalogue`). Do not edit by hand: after changing a declaration,\n");
        out.append("run `bin/d2r2 events --markdown > docs/events.md` (the build fails while the two differ).\n\n");
        out.append("An event has the fields of the chronicle language: `id`, `type`, `time` (ms), `source`, and for\n");
        out.append("a state event `from` and `to`; its attributes are strings, integers, numbers or booleans.\n");
        out.append("A name ending in `*` is a family whose last part is chosen by configuration; a part in angle\n");
        out.append("brackets (`<probe>.<value>`) stands for any non-empty text.\n");
        for (EventCatalogue c : catalogues) {
            out.append("\n## ").append(c.module()).append("\n");
            out.append("\n| type | kind | publisher | channel |\n|---|---|---|---|\n");
            for (EventType t : c.types()) {
                out.append("| [`").append(t.name()).append("`](#").append(anchor(t.name())).append(") | ")
                        .append(kind(t)).append(" | ").append(t.publisher()).append(" | ").append(t.channel())
                        .append(" |\n");
            }
            for (EventType t : c.types()) {
                type(out, t);
            }
        }
        return out.toString();
    }

    private static void type(StringBuilder out, EventType t) {
        out.append("\n### `").append(t.name()).append("`\n\n").append(t.doc()).append("\n\n");
        out.append("- kind: ").append(kind(t)).append("\n");
        out.append("- published by: ").append(t.publisher()).append("\n");
        out.append("- channel: ").append(t.channel()).append("\n");
        out.append("- source: ").append(t.source()).append("\n");
        if (!t.attributes().isEmpty()) {
            out.append("\n| attribute | type | required | meaning |\n|---|---|---|---|\n");
            for (Attribute a : t.attributes()) {
                out.append("| `").append(a.key()).append("` | ").append(a.typeName()).append(" | ")
                        .append(a.required() ? "yes" : "no").append(" | ").append(a.doc()).append(" |\n");
            }
        }
        out.append("\nExample:\n\n```json\n").append(t.example()).append("\n```\n");
    }

    private static String kind(EventType t) {
        return t.kind() == EventType.Kind.STATE ? "state" : "message";
    }

    /** GitHub's heading anchor: lower case, punctuation dropped ({@code *} alone gives an empty one). */
    private static String anchor(String name) {
        String a = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_ -]", "").replace(' ', '-');
        return a.isEmpty() ? "-1" : a;
    }
}
