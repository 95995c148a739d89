package dev.d2r2.migrate.live;

import dev.d2r2.sip.server.ServerState;

/** What a {@code SNAPSHOT} frame carries to a keeper: whose state, when it was taken (epoch ms), the state. */
record SnapshotFrame(String host, long takenAt, ServerState state) {
}
