package dev.d2r2.migrate.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code takeover.address.acquired} or {@code takeover.address.released}: a member took or gave up the service address. */
public record AddressChange(boolean acquired, long time, String member, String address, String iface, long epoch,
                            String reason) {
    public static final String ADDRESS = "address";
    public static final String INTERFACE = "interface";
    public static final String EPOCH = "epoch";
    public static final String REASON = "reason";

    public Event toEvent() {
        return Event.message((acquired ? MigrateEvents.ADDRESS_ACQUIRED : MigrateEvents.ADDRESS_RELEASED).name(), time,
                member, Map.of(ADDRESS, address, INTERFACE, iface, EPOCH, epoch, REASON, reason));
    }

    public static AddressChange from(Event e) throws EventFormatException {
        boolean acquired = e.type().equals(MigrateEvents.ADDRESS_ACQUIRED.name());
        EventAttrs.expect(e, acquired ? MigrateEvents.ADDRESS_ACQUIRED : MigrateEvents.ADDRESS_RELEASED);
        return new AddressChange(acquired, e.time(), e.source(), EventAttrs.string(e, ADDRESS), EventAttrs.string(e, INTERFACE),
                EventAttrs.integer(e, EPOCH), EventAttrs.string(e, REASON));
    }
}
