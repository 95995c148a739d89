package dev.d2r2.sip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Locale;
import java.util.Map;

/** {@code sip.server.dialog}: a server's call confirmed ({@link Op#START}) or ended ({@link Op#END}). */
public record ServerDialog(long time, String server, Op op, String call) {

    public enum Op {
        START, END;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Event toEvent() {
        return Event.message(SipEvents.SERVER_DIALOG.name(), time, server, Map.of(SipKeys.OP, op.wire(), SipKeys.CALL, call));
    }

    public static ServerDialog from(Event e) throws EventFormatException {
        EventAttrs.expect(e, SipEvents.SERVER_DIALOG);
        String op = EventAttrs.string(e, SipKeys.OP);
        Op o = switch (op) {
            case "start" -> Op.START;
            case "end" -> Op.END;
            default -> throw new EventFormatException(e.type() + " event from " + e.source() + ": op must be start or end, not '"
                    + op + "'");
        };
        return new ServerDialog(e.time(), e.source(), o, EventAttrs.string(e, SipKeys.CALL));
    }
}
