package dev.d2r2.migrate.live;

/**
 * How a {@code replicate} went: {@code replicated} with the replica's SIP address and the
 * registrations it started with, or not with the reason.
 */
public record ReplicaReport(boolean replicated, String replica, int registrations, String reason) {
}
