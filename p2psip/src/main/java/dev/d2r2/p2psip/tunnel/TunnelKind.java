package dev.d2r2.p2psip.tunnel;

/**
 * Inbound tunnels receive (their last hop is the entry point named in contact data), outbound
 * tunnels send. Both use the same setup and hop state; a hop cannot tell them apart. The default
 * lengths are the seed's recommendation (§3.1): three inbound hops keep the peer next to the user
 * from finding its own or its successor's entry in the DHT; two outbound hops leave only
 * congestion-pattern attacks.
 */
public enum TunnelKind {
    INBOUND(3),
    OUTBOUND(2);

    private final int defaultLength;

    TunnelKind(int defaultLength) {
        this.defaultLength = defaultLength;
    }

    public int defaultLength() {
        return defaultLength;
    }
}
