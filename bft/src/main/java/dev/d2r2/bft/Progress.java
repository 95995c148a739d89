package dev.d2r2.bft;

import java.util.Objects;

/**
 * How far a replica's decided chain has been applied: the height and hash of the last decided
 * block and the record of the commands applied up to it ({@link AppliedCommands}, encoded). The
 * node writes it after the application took each block; a restarted replica
 * {@linkplain Replica#resume resumes} from it, so that it neither applies a decided command twice
 * nor skips one.
 */
public record Progress(long height, BlockHash block, byte[] applied) {
    public Progress {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(applied, "applied");
        if (height < 0) {
            throw new IllegalArgumentException("negative height " + height);
        }
    }
}
