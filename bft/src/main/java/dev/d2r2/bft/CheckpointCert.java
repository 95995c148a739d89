package dev.d2r2.bft;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * n − f signatures from distinct replicas over "after block {@code block} at {@code height} the
 * state's digest is {@code digest}" (a stable checkpoint, as in PBFT). At least f + 1 of the
 * signers are correct and sign only a state they computed themselves, so a state whose
 * {@link Checkpoint#digest} matches a valid certificate is the state of every correct replica
 * at that height.
 */
public record CheckpointCert(long height, BlockHash block, BlockHash digest, int[] signers, byte[][] signatures) {
    /** Signed bytes: a domain tag, the height, the block hash and the state digest. */
    public static final int BYTES = 6 + 8 + 2 * BlockHash.BYTES;
    private static final byte[] DOMAIN = {'d', '2', 'r', 'c', 'k', '1'};

    public CheckpointCert {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(digest, "digest");
        for (byte[] signature : signatures) {
            Objects.requireNonNull(signature, "signature");
        }
        if (signers.length != signatures.length) {
            throw new IllegalArgumentException(signers.length + " signers but " + signatures.length + " signatures");
        }
    }

    /** What a replica signs for its checkpoint at {@code height}. */
    public static byte[] signed(long height, BlockHash block, BlockHash digest) {
        byte[] bytes = new byte[BYTES];
        ByteBuffer.wrap(bytes).put(DOMAIN).putLong(height);
        block.copyTo(bytes, DOMAIN.length + 8);
        digest.copyTo(bytes, DOMAIN.length + 8 + BlockHash.BYTES);
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckpointCert c && height == c.height && block.equals(c.block) && digest.equals(c.digest)
                && Arrays.equals(signers, c.signers) && Arrays.deepEquals(signatures, c.signatures);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(height) * 31 + digest.hashCode()) * 31 + Arrays.hashCode(signers);
    }

    @Override
    public String toString() {
        return "CheckpointCert[h=" + height + " " + block + " state " + digest + " by " + Arrays.toString(signers) + "]";
    }
}
