package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code takeover.nat.steered}: a takeover group's NAT front pointed the public address at the holder. */
public record NatSteered(long time, String front, String publicAddress, String member, String target, long epoch) {
    public static final String PUBLIC = "public";
    public static final String MEMBER = "member";
    public static final String TARGET = "target";
    public static final String EPOCH = "epoch";

    public Event toEvent() {
        return Event.message(MigrateEvents.NAT_STEERED.name(), time, front, Map.of(PUBLIC, publicAddress, MEMBER, member,
                TARGET, target, EPOCH, epoch));
    }

    public static NatSteered from(Event e) throws EventFormatException {
        EventAttrs.expect(e, MigrateEvents.NAT_STEERED);
        return new NatSteered(e.time(), e.source(), EventAttrs.string(e, PUBLIC), EventAttrs.string(e, MEMBER),
                EventAttrs.string(e, TARGET), EventAttrs.integer(e, EPOCH));
    }
}
