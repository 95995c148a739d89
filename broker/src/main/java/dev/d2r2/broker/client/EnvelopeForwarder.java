package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.wire.EnvelopeBytes;

/**
 * Sends other publishers' sealed envelopes of one channel to a broker in FORWARD frames: how a
 * replica of a {@code forwarded} channel passes on the events it took. Nothing is acknowledged
 * (the receiving replica stores each event once, or refuses and counts it); an envelope that
 * finds no connection is not kept, only counted ({@link #lost()}), since the replica it was for
 * is down and the publisher's other replicas forward it too. After a broken connection the next
 * envelope reopens the link, waiting while the client fails over. Not thread-safe.
 */
public final class EnvelopeForwarder {
    /** A connection and the publisher handle opened on it. */
    record Link(Connection connection, int handle) {
    }

    private final String tag;
    private final RemoteBrokerClient client;
    private Link link;
    private long sent;
    private long lost;

    EnvelopeForwarder(String tag, RemoteBrokerClient client) {
        this.tag = tag;
        this.client = client;
    }

    public String channel() {
        return tag;
    }

    /** Sends one envelope; false (and counted) when no connection took it. */
    public boolean forward(EnvelopeBytes envelope) {
        Link l = link;
        if (l == null || l.connection().failure() != null) {
            try {
                l = client.openForwarding(tag);
                link = l;
            } catch (BrokerException e) {
                link = null;
                lost++;
                return false;
            }
        }
        try {
            l.connection().writer.forward(l.handle(), envelope);
            sent++;
            return true;
        } catch (BrokerException e) {
            link = null;
            client.lost(l.connection(), e);
            lost++;
            return false;
        }
    }

    public long sent() {
        return sent;
    }

    public long lost() {
        return lost;
    }
}
