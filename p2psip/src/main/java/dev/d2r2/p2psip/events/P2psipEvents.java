package dev.d2r2.p2psip.events;

import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.required;

/** Every event type Pr2-P2PSIP publishes. */
public final class P2psipEvents implements EventCatalogue {
    public static final EventType AS_STATUS = new EventType("p2psip.as.status", EventType.Kind.MESSAGE, "p2psip authentication server",
            "the channel given with --channel (printed on stdout with --print)", "the server's UDP address (host:port)",
            List.of(required(AuthServerStatus.REQUESTS, Long.class, "request datagrams received since start"),
                    required(AuthServerStatus.ISSUED, Long.class, "certificates issued since start"),
                    required(AuthServerStatus.MALFORMED, Long.class, "requests refused as malformed (not a request, a field out of range, bytes missing or left over)"),
                    required(AuthServerStatus.UNKNOWN_USER, Long.class, "requests from no enrolled user (answered as a bad MAC)"),
                    required(AuthServerStatus.BAD_MAC, Long.class, "requests whose HMAC does not check with the user's long-term secret"),
                    required(AuthServerStatus.STALE, Long.class, "requests whose time is outside the replay window"),
                    required(AuthServerStatus.REPLAYED, Long.class, "requests repeating a user's nonce within the window"),
                    required(AuthServerStatus.BAD_PROOF, Long.class, "requests with a key whose proof of possession does not check"),
                    required(AuthServerStatus.QUOTA, Long.class, "requests beyond the pseudonyms a user may get per epoch")),
            "The authentication server's counters, every --status-every while it runs; every refused request was answered with its reason.",
            "{\"type\":\"p2psip.as.status\",\"time\":1000,\"source\":\"127.0.0.1:5300\",\"attrs\":{\"requests\":42,\"issued\":96,"
                    + "\"malformed\":1,\"unknownUser\":0,\"badMac\":2,\"stale\":0,\"replayed\":1,\"badProof\":0,\"quota\":0}}");

    public static final EventType UA_STATUS = new EventType("p2psip.ua.status", EventType.Kind.MESSAGE, "p2psip user agent (d2r2 p2psip ua, d2r2 p2psip agent)",
            "the channel given with --channel (printed on stdout with --print)", "the SIP face's UDP address (host:port)",
            List.of(required(UaStatus.PUBLISHED, Long.class, "contact data publications at least one storage replica took"),
                    required(UaStatus.PUBLISH_FAILURES, Long.class, "publications no replica took, or that timed out"),
                    required(UaStatus.LOOKUPS, Long.class, "lookups of another user's contact data (a cached copy is used until it expires)"),
                    required(UaStatus.RETRIES, Long.class, "lookup attempts after the first, each over another outbound tunnel"),
                    required(UaStatus.NOT_FOUND, Long.class, "lookups that found no valid contact data over any tunnel"),
                    required(UaStatus.REFUSED_EXPIRED, Long.class, "contact data refused because it had expired"),
                    required(UaStatus.REFUSED_FORGED, Long.class, "contact data refused because its owner's signature did not check"),
                    required(UaStatus.REFUSED_MALFORMED, Long.class, "well-signed contact data that did not parse"),
                    required(UaStatus.SIGNALS_SENT, Long.class, "signalling messages sent through an exit to another user's entry point"),
                    required(UaStatus.SIGNALS_RECEIVED, Long.class, "signalling messages received through an inbound tunnel"),
                    required(UaStatus.SIGNALS_REFUSED, Long.class, "messages on an inbound tunnel refused (too short, not sealed to this user, altered, or not signed by their sender for this user)"),
                    required(UaStatus.SIP_FROM_LOCAL, Long.class, "SIP messages from the local agent sent on through Pr2-P2PSIP"),
                    required(UaStatus.SIP_FROM_REMOTE, Long.class, "SIP messages from other users delivered to the local agent"),
                    required(UaStatus.SIP_REFUSED, Long.class, "SIP messages dropped: not SIP, no Call-ID, unknown callee, larger than a cell, or no local agent"),
                    required(UaStatus.SIP_ABSORBED, Long.class, "retransmissions from the local agent not sent again: their original went the route the callee is still reached by"),
                    required(UaStatus.TUNNELS_REBUILT, Long.class, "tunnels of this agent built again after a hop left (inbound ones are then published at once)")),
            "A user agent's counters, every --status-every while it runs.",
            "{\"type\":\"p2psip.ua.status\",\"time\":1000,\"source\":\"127.0.0.1:5070\",\"attrs\":{\"published\":3,\"publishFailures\":0,"
                    + "\"lookups\":1,\"retries\":0,\"notFound\":0,\"refusedExpired\":0,\"refusedForged\":0,\"refusedMalformed\":0,"
                    + "\"signalsSent\":9,\"signalsReceived\":9,\"signalsRefused\":0,\"sipFromLocal\":9,\"sipFromRemote\":9,\"sipRefused\":0,"
                    + "\"sipAbsorbed\":2,\"tunnelsRebuilt\":1}}");

    @Override
    public String module() {
        return "p2psip";
    }

    @Override
    public List<EventType> types() {
        return List.of(AS_STATUS, UA_STATUS);
    }
}
