package dev.d2r2.sip.server;

/**
 * A subscription to the server's {@code server-mobility} event package (docs/migration.md): the
 * dialog's Call-ID, the subscriber's From (with its tag) and the server's To (with the server's
 * tag), where NOTIFYs go (the subscriber's Contact URI), the event's {@code id} parameter (null
 * for none), the last NOTIFY's CSeq and when the subscription expires (epoch ms).
 */
public record Subscription(String callId, String subscriber, String server, String target, String eventId, long cseq,
                           long expires) {
    /** The same subscription, its last NOTIFY numbered {@code cseq}. */
    Subscription notified(long cseq) {
        return new Subscription(callId, subscriber, server, target, eventId, cseq, expires);
    }

    Subscription expiring(long at) {
        return new Subscription(callId, subscriber, server, target, eventId, cseq, at);
    }
}
