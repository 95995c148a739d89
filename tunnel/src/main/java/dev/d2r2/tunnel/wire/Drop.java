package dev.d2r2.tunnel.wire;

/** Why a datagram on the tunnel port was dropped before reaching the tunnel. */
public enum Drop {
    /** Too short, a GRE flag or version d2r2 does not send, or an inner packet that is not IP. */
    MALFORMED,
    /** The tag does not verify under the tunnel id's key: another key, or altered. */
    UNAUTHENTICATED,
    /** Authenticated, but for a tunnel this node has no session for (or a control message it does not take). */
    UNKNOWN_TUNNEL,
    /** Authenticated, but its sequence number was seen already or is older than the sender's {@link ReplayWindow}. */
    REPLAYED,
    /** A packet out of the tunnel for an address with no EN behind it, or the TUN device refused it. */
    NO_ROUTE
}
