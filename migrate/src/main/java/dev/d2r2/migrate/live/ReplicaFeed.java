package dev.d2r2.migrate.live;

import dev.d2r2.sip.server.ServerState;

import java.io.IOException;

/**
 * The source's side of a replica kept in step: each round, what changed in its server's state
 * since the previous round goes down the stream opened by {@code REPLICA} as one {@link DeltaFrame}
 * — the live migration's {@link StateDelta} — empty when nothing changed, so the replica also
 * hears that its source lives. Used on the source host's thread only.
 */
final class ReplicaFeed implements AutoCloseable {
    private final SecureChannel channel;
    private final String replica;
    private ServerState sent;
    private long rounds;

    /** @param sent the state the replica started from */
    ReplicaFeed(SecureChannel channel, String replica, ServerState sent) {
        this.channel = channel;
        this.replica = replica;
        this.sent = sent;
    }

    /** The replica's SIP address. */
    String replica() {
        return replica;
    }

    long rounds() {
        return rounds;
    }

    void send(ServerState now, long takenAt) throws IOException {
        channel.send(Migration.DELTA, Migration.write(new DeltaFrame(takenAt, StateDelta.between(sent, now))));
        sent = now;
        rounds++;
    }

    /** Ends the stream so that the replica does not take over: the source's server did not fail ({@code reason}). */
    void end(String reason) {
        try {
            channel.send(Migration.ABORT, Migration.bytes(reason));
        } catch (IOException ignored) {
            // the replica hears the stream end either way
        }
        close();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more is sent either way
        }
    }
}
