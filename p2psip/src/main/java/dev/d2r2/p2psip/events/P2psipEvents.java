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

    @Override
    public String module() {
        return "p2psip";
    }

    @Override
    public List<EventType> types() {
        return List.of(AS_STATUS);
    }
}
