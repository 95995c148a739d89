package dev.d2r2.p2psip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code p2psip.as.status}: the authentication server's counters, refusals by reason. */
public record AuthServerStatus(long time, String server, long requests, long issued, long malformed, long unknownUser, long badMac,
                               long stale, long replayed, long badProof, long quota) {
    public static final String REQUESTS = "requests";
    public static final String ISSUED = "issued";
    public static final String MALFORMED = "malformed";
    public static final String UNKNOWN_USER = "unknownUser";
    public static final String BAD_MAC = "badMac";
    public static final String STALE = "stale";
    public static final String REPLAYED = "replayed";
    public static final String BAD_PROOF = "badProof";
    public static final String QUOTA = "quota";

    public Event toEvent() {
        return Event.message(P2psipEvents.AS_STATUS.name(), time, server, Map.of(REQUESTS, requests, ISSUED, issued, MALFORMED, malformed,
                UNKNOWN_USER, unknownUser, BAD_MAC, badMac, STALE, stale, REPLAYED, replayed, BAD_PROOF, badProof, QUOTA, quota));
    }

    public static AuthServerStatus from(Event e) throws EventFormatException {
        EventAttrs.expect(e, P2psipEvents.AS_STATUS);
        return new AuthServerStatus(e.time(), e.source(), EventAttrs.integer(e, REQUESTS), EventAttrs.integer(e, ISSUED),
                EventAttrs.integer(e, MALFORMED), EventAttrs.integer(e, UNKNOWN_USER), EventAttrs.integer(e, BAD_MAC),
                EventAttrs.integer(e, STALE), EventAttrs.integer(e, REPLAYED), EventAttrs.integer(e, BAD_PROOF), EventAttrs.integer(e, QUOTA));
    }
}
