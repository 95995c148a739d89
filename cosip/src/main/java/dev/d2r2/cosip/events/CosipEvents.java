package dev.d2r2.cosip.events;

import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.required;

/** Every event type a CoSIP proxy and the credential issuer publish. */
public final class CosipEvents implements EventCatalogue {
    public static final EventType PROVIDER = new EventType("cosip.provider", EventType.Kind.STATE, "cosip (the CoSIP proxy)",
            "the channel given with --channel (printed on stdout with --print)", "the proxy's peer-side SIP address (host:port)",
            List.of(required(ProviderState.SERVER, String.class, "the SIP provider's address (host:port)"),
                    required(ProviderState.MISSES, Long.class, "OPTIONS probes missed in a row when the state changed")),
            "The SIP provider as the proxy's OPTIONS probes see it: `to` is down after --down-after probes in a row went "
                    + "unanswered, up after --up-after answers in a row; `from` the state before.",
            "{\"type\":\"cosip.provider\",\"time\":1000,\"source\":\"127.0.0.1:5071\",\"from\":\"up\",\"to\":\"down\","
                    + "\"attrs\":{\"server\":\"127.0.0.1:5060\",\"misses\":2}}");

    public static final EventType MODE = new EventType("cosip.mode", EventType.Kind.STATE, "cosip (the CoSIP proxy)",
            "the channel given with --channel (printed on stdout with --print)", "the proxy's peer-side SIP address (host:port)",
            List.of(required(ModeChange.REASON, String.class, "why: provider-down, provider-up")),
            "Where the proxy sends its user's new calls: `to` is server (through the provider) or p2p (a DHT lookup of the "
                    + "callee's contact, straight to the callee's CoSIP proxy). Calls already set up keep their path.",
            "{\"type\":\"cosip.mode\",\"time\":1000,\"source\":\"127.0.0.1:5071\",\"from\":\"server\",\"to\":\"p2p\","
                    + "\"attrs\":{\"reason\":\"provider-down\"}}");

    public static final EventType CREDENTIAL = new EventType("cosip.credential", EventType.Kind.MESSAGE, "cosip (the CoSIP proxy)",
            "the channel given with --channel (printed on stdout with --print)", "the proxy's peer-side SIP address (host:port)",
            List.of(required(CredentialOutcome.AOR, String.class, "the own user's AOR the credential speaks for"),
                    required(CredentialOutcome.OUTCOME, String.class, "obtained, or why it was refused: forged, expired, mismatched, garbled")),
            "A credential for one of the proxy's own users — from the provider's 200 to a REGISTER or held offline "
                    + "(--credential) — was kept and put into the DHT, or refused (a wrong --provider-key shows as forged). "
                    + "Refusals of other proxies' credentials are only counted.",
            "{\"type\":\"cosip.credential\",\"time\":1000,\"source\":\"127.0.0.1:5071\","
                    + "\"attrs\":{\"aor\":\"sip:alice@example.org\",\"outcome\":\"obtained\"}}");

    public static final EventType REVOCATION = new EventType("cosip.revocation", EventType.Kind.MESSAGE,
            "cosip-issuer (the provider's credential issuer)", "the channel given with --channel (printed on stdout with --print)",
            "the issuer's HTTP address (host:port)",
            List.of(required(RevocationPublished.AOR, String.class, "the AOR whose credentials issued so far are revoked"),
                    required(RevocationPublished.USERS, Long.class, "users in the new revocation list"),
                    required(RevocationPublished.NODES, Long.class, "DHT nodes that took the list (0: none; revoke again)")),
            "An operator revoked a user's credentials (POST /revoke): the issuer signed a new revocation list and put it into "
                    + "the DHT, where CoSIP proxies read it (at start, on switching to P2P mode, and every --revocations-every); it issues "
                    + "that user no credential any more.",
            "{\"type\":\"cosip.revocation\",\"time\":1000,\"source\":\"127.0.0.1:8470\","
                    + "\"attrs\":{\"aor\":\"sip:carol@example.org\",\"users\":1,\"nodes\":3}}");

    @Override
    public String module() {
        return "cosip";
    }

    @Override
    public List<EventType> types() {
        return List.of(PROVIDER, MODE, CREDENTIAL, REVOCATION);
    }
}
