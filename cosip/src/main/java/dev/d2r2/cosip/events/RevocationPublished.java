package dev.d2r2.cosip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code cosip.revocation}: the credential issuer revoked a user's credentials and put its new
 * revocation list into the DHT ({@code nodes} is how many DHT nodes took it; 0: none did).
 */
public record RevocationPublished(long time, String issuer, String aor, long users, long nodes) {
    public static final String AOR = "aor";
    public static final String USERS = "users";
    public static final String NODES = "nodes";

    public Event toEvent() {
        return Event.message(CosipEvents.REVOCATION.name(), time, issuer, Map.of(AOR, aor, USERS, users, NODES, nodes));
    }

    public static RevocationPublished from(Event e) throws EventFormatException {
        EventAttrs.expect(e, CosipEvents.REVOCATION);
        return new RevocationPublished(e.time(), e.source(), EventAttrs.string(e, AOR), EventAttrs.integer(e, USERS),
                EventAttrs.integer(e, NODES));
    }
}
