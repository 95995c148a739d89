package dev.d2r2.broker.server;

import dev.d2r2.broker.wire.Envelope;

/**
 * What a replica of a {@code forwarded} channel fills from other replicas' logs: on start, the
 * gap an outage left ({@link ForwardedGapFill}); while it runs, the sequence numbers it saw
 * skipped ({@link ForwardedGapRepair}). The reader asks each other replica in turn for its log
 * of {@link #channel()} from {@link #since()} on and hands over every event.
 */
public interface PeerLogFill {
    String channel();

    /** The time (this replica's clock, epoch ms) from which to ask the other replicas for their events. */
    long since();

    /** Takes one event another replica logged, if this replica lacks it; a refused copy is counted. */
    void take(Envelope e);

    /** Another replica could not be read (unreachable, too slow): counted and logged. */
    void failed(String replica, Exception why);

    /** Whether nothing is left to look for, so the remaining replicas need not be read. */
    default boolean complete() {
        return false;
    }
}
