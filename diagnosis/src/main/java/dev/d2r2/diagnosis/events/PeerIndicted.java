package dev.d2r2.diagnosis.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Map;

/** A peer voted the culprit of its group: its trust is withdrawn until a {@link PeerCleared}. */
public record PeerIndicted(long time, String peer, String group, double distance, double threshold, long votes, long voters,
                           double effect, String metric, long windows) {
    public static final String TYPE = "diagnosis.indicted";
    public static final String GROUP = "group";
    static final String DISTANCE = "distance";
    static final String THRESHOLD = "threshold";
    static final String VOTES = "votes";
    static final String VOTERS = "voters";
    static final String EFFECT = "effect";
    static final String METRIC = "metric";
    static final String WINDOWS = "windows";

    public Event toEvent() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put(GROUP, group);
        a.put(DISTANCE, distance);
        a.put(THRESHOLD, threshold);
        a.put(VOTES, votes);
        a.put(VOTERS, voters);
        a.put(EFFECT, effect);
        a.put(METRIC, metric);
        a.put(WINDOWS, windows);
        return Event.message(TYPE, time, peer, a);
    }

    public static PeerIndicted from(Event e) throws EventFormatException {
        EventAttrs.expect(e, DiagnosisEvents.INDICTED);
        return new PeerIndicted(e.time(), e.source(), EventAttrs.string(e, GROUP), EventAttrs.number(e, DISTANCE),
                EventAttrs.number(e, THRESHOLD), EventAttrs.integer(e, VOTES), EventAttrs.integer(e, VOTERS),
                EventAttrs.number(e, EFFECT), EventAttrs.string(e, METRIC), EventAttrs.integer(e, WINDOWS));
    }
}
