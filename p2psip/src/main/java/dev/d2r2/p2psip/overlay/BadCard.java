package dev.d2r2.p2psip.overlay;

/** A forwarding peer's relay card refused, with the reason a pool counts it under. */
public final class BadCard extends Exception {
    public enum Reason {
        /** The node did not answer the PING that asks for its card. */
        UNANSWERED,
        /** It answered with no card: a node that relays nothing (a user agent's own lookup node). */
        NONE,
        /** Not a card: wrong version, a field out of range, bytes missing or left over. */
        MALFORMED,
        /** The certificate in it is not a valid forwarding pseudonym of the authentication server's. */
        CERTIFICATE,
        /** A valid certificate, but of another node than the one the lookup returned. */
        OTHER_NODE,
        /** Not signed by the certificate's key, or altered since. */
        BAD_SIGNATURE,
        /** A relay on another host than the node's (a card sending tunnels to a third party). */
        OTHER_HOST
    }

    private final Reason reason;

    public BadCard(Reason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
