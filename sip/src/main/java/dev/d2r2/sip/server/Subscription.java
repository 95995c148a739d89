package dev.d2r2.sip.server;

/**
 * A subscription to the server's {@code server-mobility} event package (docs/migration.md): the
 * dialog's Call-ID, the subscriber's From (with its tag) and the server's To (with the server's
 * tag), where NOTIFYs go (the subscriber's Contact URI), the event's {@code id} parameter (null
 * for none), the last NOTIFY's CSeq (its body's {@code version}), when the subscription expires
 * (epoch ms) and the key its NOTIFYs are signed with (base64url, the SUBSCRIBE's {@code Mobility-Key};
 * null for none: unsigned NOTIFYs).
 */
public record Subscription(String callId, String subscriber, String server, String target, String eventId, long cseq,
                           long expires, String key) {
    /** The same subscription, its last NOTIFY numbered {@code cseq}. */
    Subscription notified(long cseq) {
        return new Subscription(callId, subscriber, server, target, eventId, cseq, expires, key);
    }

    Subscription expiring(long at) {
        return new Subscription(callId, subscriber, server, target, eventId, cseq, at, key);
    }
}
