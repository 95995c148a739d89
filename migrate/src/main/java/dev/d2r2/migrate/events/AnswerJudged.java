package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code migration.answer.judged}: the answer judge's verdict on one answer of a SIP server (right, wrong, refused, lost). */
public record AnswerJudged(long time, String service, String server, String verdict, long status, String why) {
    public static final String SERVER = "server";
    public static final String VERDICT = "verdict";
    public static final String STATUS = "status";
    public static final String WHY = "why";

    public Event toEvent() {
        return Event.message(MigrateEvents.ANSWER_JUDGED.name(), time, service, Map.of(SERVER, server, VERDICT, verdict,
                STATUS, status, WHY, why));
    }

    public static AnswerJudged from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MigrateEvents.ANSWER_JUDGED);
        return new AnswerJudged(e.time(), e.source(), EventAttrs.string(e, SERVER), EventAttrs.string(e, VERDICT),
                EventAttrs.integer(e, STATUS, 0), EventAttrs.string(e, WHY, ""));
    }
}
