package dev.d2r2.broker.server;

/**
 * Where a replica sends the events its publishers gave it on {@code forwarded} channels: the
 * other replicas of the cluster, which take each forwarded copy once
 * ({@link Broker#takeForwarded}) and do not forward it again.
 */
public interface EventForwarding {

    /** Passes on {@code envelope} (the caller's copy, never changed afterwards) of channel {@code tag}; never blocks. */
    void forward(String tag, byte[] envelope);
}
