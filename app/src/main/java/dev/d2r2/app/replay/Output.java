package dev.d2r2.app.replay;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;

/**
 * One thing a replay produced, at a time of its virtual clock: an alarm its thresholds confirmed,
 * an alert its chronicles recognised, a peer its diagnosis indicted or cleared, a context change or
 * a decision of its policy ({@code event}),
 * or a gap in the recorded input ({@link Kind#MISSING}, {@code gap}). {@code uncertain} when it
 * came at or after the start of a gap, so that the recorded run may have seen what the replay did not.
 */
public record Output(long at, Kind kind, Event event, Gap gap, boolean uncertain) {
    public enum Kind {
        ALARM("alarm"), ALERT("alert"), CONTEXT("context"), DECISION("decision"), DIAGNOSIS("diagnosis"), MISSING("missing");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** Events of a channel lost between two times (a range recovery cut, records that did not read). */
    public record Gap(String channel, long from, long to, long count) {
    }

    static Output of(long at, Kind kind, Event event, boolean uncertain) {
        return new Output(at, kind, event, null, uncertain);
    }

    static Output missing(long at, Gap gap) {
        return new Output(at, Kind.MISSING, null, gap, true);
    }

    /** The output as one JSON line: {@code {"at":…,"kind":…,["uncertain":true,]"event":{…}}}, or the gap's fields. */
    public String json() {
        String head = "{\"at\":" + at + ",\"kind\":\"" + kind.key() + "\"" + (uncertain ? ",\"uncertain\":true" : "");
        if (gap != null) {
            return head + ",\"channel\":\"" + gap.channel() + "\",\"from\":" + gap.from() + ",\"to\":" + gap.to() + ",\"count\":"
                    + gap.count() + "}";
        }
        return head + ",\"event\":" + EventCodec.encodeToString(event) + "}";
    }
}
