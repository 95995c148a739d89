package dev.d2r2.migrate.live;

/** One round of a replica's stream: what changed in the source's server state, taken at {@code takenAt} (the source's epoch ms). */
record DeltaFrame(long takenAt, StateDelta delta) {
}
