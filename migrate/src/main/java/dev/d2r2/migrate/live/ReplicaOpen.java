package dev.d2r2.migrate.live;

import dev.d2r2.sip.server.ServerState;

/**
 * What a {@code REPLICA} frame carries: whose server, its live state when taken (epoch ms), and
 * how the stream that follows keeps the replica in step: a {@code DELTA} ({@link DeltaFrame})
 * every {@code periodMs}; {@code misses} periods without one and the replica takes over.
 */
record ReplicaOpen(String host, long takenAt, ServerState state, long periodMs, int misses) {
}
