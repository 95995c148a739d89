package dev.d2r2.p2psip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code p2psip.ua.status}: a user agent's contact data, signalling and SIP face counters. */
public record UaStatus(long time, String face, long published, long publishFailures, long lookups, long retries, long notFound,
                       long refusedExpired, long refusedForged, long refusedMalformed, long signalsSent, long signalsReceived,
                       long signalsRefused, long sipFromLocal, long sipFromRemote, long sipRefused, long sipAbsorbed,
                       long tunnelsRebuilt) {
    public static final String PUBLISHED = "published";
    public static final String PUBLISH_FAILURES = "publishFailures";
    public static final String LOOKUPS = "lookups";
    public static final String RETRIES = "retries";
    public static final String NOT_FOUND = "notFound";
    public static final String REFUSED_EXPIRED = "refusedExpired";
    public static final String REFUSED_FORGED = "refusedForged";
    public static final String REFUSED_MALFORMED = "refusedMalformed";
    public static final String SIGNALS_SENT = "signalsSent";
    public static final String SIGNALS_RECEIVED = "signalsReceived";
    public static final String SIGNALS_REFUSED = "signalsRefused";
    public static final String SIP_FROM_LOCAL = "sipFromLocal";
    public static final String SIP_FROM_REMOTE = "sipFromRemote";
    public static final String SIP_REFUSED = "sipRefused";
    public static final String SIP_ABSORBED = "sipAbsorbed";
    public static final String TUNNELS_REBUILT = "tunnelsRebuilt";

    public Event toEvent() {
        return Event.message(P2psipEvents.UA_STATUS.name(), time, face, Map.ofEntries(Map.entry(PUBLISHED, published),
                Map.entry(PUBLISH_FAILURES, publishFailures), Map.entry(LOOKUPS, lookups), Map.entry(RETRIES, retries),
                Map.entry(NOT_FOUND, notFound), Map.entry(REFUSED_EXPIRED, refusedExpired), Map.entry(REFUSED_FORGED, refusedForged),
                Map.entry(REFUSED_MALFORMED, refusedMalformed), Map.entry(SIGNALS_SENT, signalsSent),
                Map.entry(SIGNALS_RECEIVED, signalsReceived), Map.entry(SIGNALS_REFUSED, signalsRefused),
                Map.entry(SIP_FROM_LOCAL, sipFromLocal), Map.entry(SIP_FROM_REMOTE, sipFromRemote), Map.entry(SIP_REFUSED, sipRefused),
                Map.entry(SIP_ABSORBED, sipAbsorbed), Map.entry(TUNNELS_REBUILT, tunnelsRebuilt)));
    }

    public static UaStatus from(Event e) throws EventFormatException {
        EventAttrs.expect(e, P2psipEvents.UA_STATUS);
        return new UaStatus(e.time(), e.source(), EventAttrs.integer(e, PUBLISHED), EventAttrs.integer(e, PUBLISH_FAILURES),
                EventAttrs.integer(e, LOOKUPS), EventAttrs.integer(e, RETRIES), EventAttrs.integer(e, NOT_FOUND),
                EventAttrs.integer(e, REFUSED_EXPIRED), EventAttrs.integer(e, REFUSED_FORGED), EventAttrs.integer(e, REFUSED_MALFORMED),
                EventAttrs.integer(e, SIGNALS_SENT), EventAttrs.integer(e, SIGNALS_RECEIVED), EventAttrs.integer(e, SIGNALS_REFUSED),
                EventAttrs.integer(e, SIP_FROM_LOCAL), EventAttrs.integer(e, SIP_FROM_REMOTE), EventAttrs.integer(e, SIP_REFUSED),
                EventAttrs.integer(e, SIP_ABSORBED), EventAttrs.integer(e, TUNNELS_REBUILT));
    }
}
