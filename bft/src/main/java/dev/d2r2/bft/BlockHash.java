package dev.d2r2.bft;

import java.util.Arrays;
import java.util.HexFormat;

/** A SHA-256 digest naming a block; compared by value. */
public final class BlockHash {
    public static final int BYTES = 32;
    private final byte[] bytes;
    private final int hash;

    private BlockHash(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Takes ownership of {@code bytes}, which must be {@value #BYTES} long. */
    public static BlockHash wrap(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a block hash is " + BYTES + " bytes, not " + bytes.length);
        }
        return new BlockHash(bytes);
    }

    /** Copies the digest into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, BYTES);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockHash other && hash == other.hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes, 0, 6);
    }
}
