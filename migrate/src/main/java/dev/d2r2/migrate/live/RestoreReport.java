package dev.d2r2.migrate.live;

/**
 * How a restore from a snapshot went: {@code restored} with the snapshot's host and time and the
 * registrations it brought, or not with the reason; {@code refused} counts the newer snapshots
 * refused as corrupt on the way (their reasons are logged).
 */
public record RestoreReport(boolean restored, String of, long takenAt, int registrations, int refused, String reason) {
}
