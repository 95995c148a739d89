package dev.d2r2.bft;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A replica's state after decided block {@code block}: the record of applied commands
 * ({@link AppliedCommands}, encoded) and the application's state ({@link Outbox#snapshot}).
 * Every correct replica that decided the same chain holds the same bytes, so the same
 * {@link #digest}; a {@link CheckpointCert} of n − f replicas over that digest lets a replica
 * that fell behind take the state from any single peer, faulty or not.
 */
public record Checkpoint(Block block, byte[] applied, byte[] state) {
    private static final byte[] DOMAIN = {'d', '2', 'r', '2', '-', 'b', 'f', 't', '-', 'c', 'k', 'p'};

    public Checkpoint {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(applied, "applied");
        Objects.requireNonNull(state, "state");
    }

    public long height() {
        return block.height();
    }

    /** SHA-256 over the height, the block's hash, the applied record and the state, each length-prefixed. */
    public BlockHash digest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] header = new byte[8 + BlockHash.BYTES];
            ByteBuffer.wrap(header).putLong(height());
            block.hash().copyTo(header, 8);
            md.update(DOMAIN);
            md.update(header);
            md.update(ByteBuffer.allocate(4).putInt(applied.length).array());
            md.update(applied);
            md.update(ByteBuffer.allocate(4).putInt(state.length).array());
            md.update(state);
            return BlockHash.wrap(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }
}
