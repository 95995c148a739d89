package dev.d2r2.bft;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * What a vote signs: "in view v, phase p, I vote for block b" (paper §4.2, "Messages";
 * Algorithm 1, "voteMsg").
 */
public record Statement(long view, Phase phase, BlockHash block) {
    /** Signed bytes: a domain tag, the view, the phase and the block hash (47 bytes). */
    public static final int BYTES = 6 + 8 + 1 + BlockHash.BYTES;
    private static final byte[] DOMAIN = {'d', '2', 'r', 'h', 's', '1'};

    public Statement {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(block, "block");
    }

    /** Writes the signed bytes into {@code dst}, which must be {@link #BYTES} long. */
    public byte[] bytes(byte[] dst) {
        ByteBuffer b = ByteBuffer.wrap(dst);
        b.put(DOMAIN).putLong(view).put((byte) phase.ordinal());
        block.copyTo(dst, b.position());
        return dst;
    }
}
