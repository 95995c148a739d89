package dev.d2r2.broker.server;

/**
 * Where a cluster replica sends the events published on its {@code replicated} channels: the
 * cluster's Raft log. Every replica then applies each committed event through
 * {@link Broker#applyCommitted}, in log order; the publisher is acknowledged when its event is
 * committed.
 */
public interface EventReplication {

    /** Appends {@code envelope} (the caller's copy) to channel {@code tag}'s replicated stream; {@code done} is told once. */
    void append(String tag, byte[] envelope, Outcome done);

    /** What became of an appended event; called on a replication thread. */
    interface Outcome {
        void committed();

        /** Not committed (no leader within the patience): the publisher must send it again. */
        void failed(String reason);
    }
}
