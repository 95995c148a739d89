package dev.d2r2.cosip;

import java.net.InetSocketAddress;

/**
 * What a proxy remembers of one call (by Call-ID) to route it: where its own user agent is, where
 * the INVITE went or came from, and — once the other side's proxy answered — that proxy, to which
 * in-dialog requests go straight, whatever happens to the provider.
 */
final class Call {
    final boolean outgoing;
    /** The other party's AOR: the callee's for an outgoing call, the caller's for an incoming one. */
    final String otherAor;
    final InetSocketAddress ua;
    final String uaUri;
    boolean p2p;
    /** Outgoing: where the INVITE was sent (the server or the callee's proxy); incoming: where it came from. */
    InetSocketAddress inviteHop;
    /** The other party's proxy, from its Contact; null until known. */
    InetSocketAddress peer;
    String peerUri;
    boolean answered;
    /** Outgoing through the provider: the user agent's INVITE until answered, to be sent through the DHT if the provider dies first. */
    byte[] invite;
    InetSocketAddress inviteFrom;
    /** An INVITE waiting for the DHT lookup of the callee's proxy, and its user agent's address. */
    byte[] pending;
    InetSocketAddress pendingFrom;
    /** The key that speaks for the other side of a call through the DHT: its answers must verify with it. */
    byte[] peerKey;
    long startedNanos;
    long expiresAt;

    Call(boolean outgoing, String otherAor, InetSocketAddress ua, String uaUri) {
        this.outgoing = outgoing;
        this.otherAor = otherAor;
        this.ua = ua;
        this.uaUri = uaUri;
    }

    /** Where in-dialog requests from the own user agent go. */
    InetSocketAddress onward() {
        return peer != null ? peer : inviteHop;
    }

    String onwardUri(String fallback) {
        return peerUri != null ? peerUri : fallback;
    }

    /** Whether a request from {@code from} on the peer side belongs to this call. */
    boolean fromOtherSide(InetSocketAddress from) {
        return from.equals(peer) || from.equals(inviteHop);
    }
}
