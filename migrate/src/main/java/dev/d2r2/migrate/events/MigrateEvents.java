package dev.d2r2.migrate.events;

import dev.d2r2.core.events.Attribute;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.required;

/** Every event type the migrate module publishes. */
public final class MigrateEvents implements EventCatalogue {
    private static final String TAKEOVER_PUBLISHER = "takeover member";
    private static final String TAKEOVER_CHANNEL = "printed on stdout by d2r2 takeover (one JSON line each)";
    private static final String TAKEOVER_SOURCE = "the member's name";

    private static List<Attribute> addressChange() {
        return List.of(required(AddressChange.ADDRESS, String.class, "the service address with its prefix"),
                required(AddressChange.INTERFACE, String.class, "the interface it is added to or removed from"),
                required(AddressChange.EPOCH, Long.class, "the epoch of this holding (each acquisition takes one above any seen)"),
                required(AddressChange.REASON, String.class, "why, in words"));
    }

    public static final EventType ADDRESS_ACQUIRED = new EventType("takeover.address.acquired", EventType.Kind.MESSAGE,
            TAKEOVER_PUBLISHER, TAKEOVER_CHANNEL, TAKEOVER_SOURCE, addressChange(),
            "A member added the service address to its interface and announced it by gratuitous ARP; time is taken"
                    + " before the address is added.",
            "{\"type\":\"takeover.address.acquired\",\"time\":1000,\"source\":\"backup\",\"attrs\":{\"address\":\"10.97.23.100/24\","
                    + "\"interface\":\"eth0\",\"epoch\":2,\"reason\":\"no holder heard for 60 ms\"}}");

    public static final EventType ADDRESS_RELEASED = new EventType("takeover.address.released", EventType.Kind.MESSAGE,
            TAKEOVER_PUBLISHER, TAKEOVER_CHANNEL, TAKEOVER_SOURCE, addressChange(),
            "A member removed the service address: it heard a holder of a higher epoch, lost the majority (fencing), or"
                    + " stopped; time is taken after the address is removed.",
            "{\"type\":\"takeover.address.released\",\"time\":1000,\"source\":\"master\",\"attrs\":{\"address\":\"10.97.23.100/24\","
                    + "\"interface\":\"eth0\",\"epoch\":1,\"reason\":\"heard 0 of the 1 peers a majority needs in 30 ms\"}}");

    @Override
    public String module() {
        return "migrate";
    }

    @Override
    public List<EventType> types() {
        return List.of(ADDRESS_ACQUIRED, ADDRESS_RELEASED);
    }
}
