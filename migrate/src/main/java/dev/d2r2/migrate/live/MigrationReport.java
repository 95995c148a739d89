package dev.d2r2.migrate.live;

/**
 * How a live migration went, from the source's side. {@code outcome}: {@code moved} (the target
 * serves, the source stopped), {@code aborted} (the source serves again, the target dropped its
 * copy) or {@code unconfirmed} (the source let go but the target never confirmed: the source
 * stays stopped, so there is at most one live copy, and the target serves it if the go reached
 * it). Times in milliseconds: pre-copy (connect to the last delta), stop-and-copy (pause to the
 * target's ready), redirect (ready to the target serving at the address), downtime (pause to
 * serving).
 */
public record MigrationReport(String outcome, int rounds, long entries, long precopyMs, long stopCopyMs, long redirectMs,
                              long downtimeMs, String reason) {
    public static final String MOVED = "moved";
    public static final String ABORTED = "aborted";
    public static final String UNCONFIRMED = "unconfirmed";

    public boolean moved() {
        return MOVED.equals(outcome);
    }
}
