package dev.d2r2.bft;

/**
 * @param maxBatchCommands commands per proposed block; a proposal with more is refused, so every
 *                         replica of a committee must have the same value
 * @param maxPendingCommands commands a replica queues before {@link Replica#submit} refuses more
 * @param retainedHeights    decided heights kept for peers that fetch them
 */
public record ReplicaConfig(int maxBatchCommands, int maxPendingCommands, int retainedHeights) {
    public static final ReplicaConfig DEFAULTS = new ReplicaConfig(1_000, 100_000, 64);

    public ReplicaConfig {
        if (maxBatchCommands < 1 || maxPendingCommands < 1 || retainedHeights < 1) {
            throw new IllegalArgumentException("batch, pending and retained heights must be positive: "
                    + maxBatchCommands + ", " + maxPendingCommands + ", " + retainedHeights);
        }
    }
}
