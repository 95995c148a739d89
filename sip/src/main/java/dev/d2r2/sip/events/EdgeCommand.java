package dev.d2r2.sip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sip.edge.command}: {@link Op#ADD} a backend at {@code address} with {@code weight},
 * {@link Op#REMOVE} / {@link Op#DRAIN} the backend {@code backend}, or {@link Op#MOVE} the backend
 * {@code backend} to {@code address} (it was migrated there).
 */
public record EdgeCommand(long time, String sender, Op op, String address, double weight, String backend) {

    public enum Op {
        ADD, REMOVE, DRAIN, MOVE;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static EdgeCommand add(long time, String sender, String address, double weight) {
        return new EdgeCommand(time, sender, Op.ADD, address, weight, null);
    }

    public static EdgeCommand remove(long time, String sender, String backend) {
        return new EdgeCommand(time, sender, Op.REMOVE, null, 0, backend);
    }

    public static EdgeCommand drain(long time, String sender, String backend) {
        return new EdgeCommand(time, sender, Op.DRAIN, null, 0, backend);
    }

    public static EdgeCommand move(long time, String sender, String backend, String address) {
        return new EdgeCommand(time, sender, Op.MOVE, address, 0, backend);
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(SipKeys.OP, op.wire());
        if (op == Op.ADD) {
            attrs.put(SipKeys.ADDRESS, address);
            attrs.put(SipKeys.WEIGHT, weight);
        } else {
            attrs.put(SipKeys.BACKEND, backend);
        }
        if (op == Op.MOVE) {
            attrs.put(SipKeys.ADDRESS, address);
        }
        return Event.message(SipEvents.EDGE_COMMAND.name(), time, sender, attrs);
    }

    public static EdgeCommand from(Event e) throws EventFormatException {
        EventAttrs.expect(e, SipEvents.EDGE_COMMAND);
        String op = EventAttrs.string(e, SipKeys.OP);
        return switch (op) {
            case "add" -> add(e.time(), e.source(), EventAttrs.string(e, SipKeys.ADDRESS), EventAttrs.number(e, SipKeys.WEIGHT, 1));
            case "remove" -> remove(e.time(), e.source(), EventAttrs.string(e, SipKeys.BACKEND));
            case "drain" -> drain(e.time(), e.source(), EventAttrs.string(e, SipKeys.BACKEND));
            case "move" -> move(e.time(), e.source(), EventAttrs.string(e, SipKeys.BACKEND), EventAttrs.string(e, SipKeys.ADDRESS));
            default -> throw new EventFormatException(e.type() + " event from " + e.source() + ": unknown op '" + op
                    + "' (add, remove, drain, move)");
        };
    }
}
