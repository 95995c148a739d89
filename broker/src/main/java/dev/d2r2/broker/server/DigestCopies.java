package dev.d2r2.broker.server;

import dev.d2r2.broker.wire.Envelope;

import java.io.IOException;

/**
 * Whether a subscription's copies carry the events or only their digests (publisher, sequence
 * number, SHA-256 of the payload: what a voted subscriber votes with, from all its replicas but
 * the one it takes the events from), and the events sent lately as digests, so that they can be
 * sent again whole when the subscriber takes the events from this replica instead.
 *
 * <p>The pump thread owns it; the session's reader thread only asks for a change
 * ({@link #request}), which the pump applies between two deliveries ({@link #apply}), so a
 * change and the copies sent again never interleave with other deliveries.
 */
final class DigestCopies {
    /** How many events sent as digests are kept to be sent again: a voted subscriber's window. */
    static final int RETAINED = 4096;

    /** A change asked by the subscriber: to digests, or to whole events sending again those from {@code resendFrom} (-1: none). */
    record Change(boolean digests, long resendFrom) {
    }

    private volatile Change requested;
    /** Pump thread only from here on; whole events until a change says otherwise. */
    private boolean digests;
    private long[] offsets;
    private long[] times;
    private Envelope[] envelopes;
    /** Events recorded since the ring was last emptied. */
    private long recorded;

    boolean digests() {
        return digests;
    }

    /** On any thread: the pump applies it before its next delivery to the subscription. */
    void request(Change change) {
        requested = change;
    }

    /** The pump sent event {@code offset} as a digest: kept to be sent again whole if asked. */
    void sent(long offset, long time, Envelope e) {
        if (envelopes == null) {
            offsets = new long[RETAINED];
            times = new long[RETAINED];
            envelopes = new Envelope[RETAINED];
        }
        int slot = (int) (recorded++ % RETAINED);
        offsets[slot] = offset;
        times[slot] = time;
        envelopes[slot] = e;
    }

    /**
     * On the pump thread: applies a requested change, sending again whole through {@code sink}
     * the retained events it names; false when none was requested.
     */
    boolean apply(ServerSubscription sub, DeliverySink sink) throws IOException {
        Change c = requested;
        if (c == null) {
            return false;
        }
        requested = null;
        digests = c.digests();
        if (!digests && envelopes != null) {
            long first = Math.max(0, recorded - RETAINED);
            for (long i = first; i < recorded; i++) {
                int slot = (int) (i % RETAINED);
                if (c.resendFrom() >= 0 && offsets[slot] >= c.resendFrom()) {
                    sink.deliver(sub, offsets[slot], times[slot], envelopes[slot]);
                }
            }
            offsets = null;
            times = null;
            envelopes = null;
            recorded = 0;
        }
        return true;
    }
}
