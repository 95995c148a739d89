package dev.d2r2.bench;

import dev.d2r2.core.Event;

import java.util.Map;

/** One generated event, as a JavaBean for Esper and as an {@link Event} for d2r2. */
public final class BenchEvent {
    final long id;
    final String type;
    final long time;
    final String k;
    final String source;
    final String to;
    /** The same event for d2r2, built with the stream so that neither engine pays for conversion. */
    private final Event event;

    BenchEvent(long id, String type, long time, String k, String source, String to) {
        this.id = id;
        this.type = type;
        this.time = time;
        this.k = k;
        this.source = source;
        this.to = to;
        this.event = new Event("e" + id, type, time, source, null, to, k == null ? Map.of() : Map.of("k", k));
    }

    public long getId() {
        return id;
    }

    public String getType() {
        return type;
    }

    public long getTime() {
        return time;
    }

    public String getK() {
        return k;
    }

    public String getSource() {
        return source;
    }

    public String getTo() {
        return to;
    }

    Event event() {
        return event;
    }
}
