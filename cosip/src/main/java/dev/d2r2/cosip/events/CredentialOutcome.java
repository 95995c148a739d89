package dev.d2r2.cosip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/**
 * {@code cosip.credential}: a credential for one of the proxy's own users, from the provider's 200
 * to a REGISTER or held offline, was kept ({@code obtained}) or refused (why: forged, expired,
 * mismatched, garbled).
 */
public record CredentialOutcome(long time, String proxy, String aor, String outcome) {
    public static final String AOR = "aor";
    public static final String OUTCOME = "outcome";

    public Event toEvent() {
        return Event.message(CosipEvents.CREDENTIAL.name(), time, proxy, Map.of(AOR, aor, OUTCOME, outcome));
    }

    public static CredentialOutcome from(Event e) throws EventFormatException {
        EventAttrs.expect(e, CosipEvents.CREDENTIAL);
        return new CredentialOutcome(e.time(), e.source(), EventAttrs.string(e, AOR), EventAttrs.string(e, OUTCOME));
    }
}
