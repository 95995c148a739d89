package dev.d2r2.chronicle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.d2r2.chronicle.lang.Ast;
import dev.d2r2.core.Event;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** Writes recognitions as one JSON line each (spec §5), optionally with the {@code --explain} part. */
public final class RecognitionWriter {
    private static final JsonFactory JSON = new JsonFactory();

    private RecognitionWriter() {
    }

    public static String toJson(Recognition r, boolean explain) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("chronicle", r.chronicle());
            g.writeNumberField("at", r.at());
            g.writeObjectFieldStart("times");
            for (Map.Entry<String, Long> t : r.times().entrySet()) {
                g.writeNumberField(t.getKey(), t.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("events");
            for (String id : r.events()) {
                g.writeString(id);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("bindings");
            for (Map.Entry<String, String> b : r.bindings().entrySet()) {
                g.writeStringField(b.getKey(), b.getValue());
            }
            g.writeEndObject();
            g.writeBooleanField("uncertain", r.uncertain());
            if (explain) {
                explain(g, r);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** Which event matched which statement, each interval, and each constraint with its value. */
    private static void explain(JsonGenerator g, Recognition r) throws IOException {
        Chronicle c = r.definition();
        g.writeArrayFieldStart("explain");
        for (Chronicle.EventStatement s : c.events) {
            Event e = r.matched().get(s.index());
            g.writeStartObject();
            g.writeStringField("statement", text(c, s.ast().pos()));
            g.writeStringField("event", e.id());
            g.writeNumberField("time", e.time());
            g.writeEndObject();
        }
        for (Chronicle.IntervalStatement iv : c.intervals) {
            g.writeStartObject();
            g.writeStringField("statement", text(c, iv.ast().pos()));
            g.writeArrayFieldStart("interval");
            g.writeNumber(r.times().get(c.points[iv.start()]));
            g.writeNumber(r.times().get(c.points[iv.end()]));
            g.writeEndArray();
            g.writeEndObject();
        }
        for (Ast.Statement s : c.def.statements()) {
            if (s instanceof Ast.Constraint k) {
                g.writeStartObject();
                g.writeStringField("constraint", k.text());
                g.writeNumberField("value", r.times().get(k.a()) - r.times().get(k.b()));
                g.writeEndObject();
            }
        }
        g.writeEndArray();
    }

    private static String text(Chronicle c, Ast.Pos pos) {
        return c.def.source().line(pos.line()).strip();
    }
}
