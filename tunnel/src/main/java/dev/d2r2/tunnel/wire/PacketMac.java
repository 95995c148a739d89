package dev.d2r2.tunnel.wire;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256 (RFC 2104) cut to {@link #TAG_BYTES} bytes over a range of a buffer, computed with
 * two reused {@link MessageDigest}s so that sealing or checking a packet allocates nothing (the
 * JDK's {@code Mac} allocates its inner digest on every {@code doFinal}). One instance belongs to
 * one thread.
 */
public final class PacketMac {
    public static final int TAG_BYTES = 16;
    public static final int KEY_BYTES = 32;
    private static final int BLOCK = 64;

    private final MessageDigest inner;
    private final MessageDigest outer;
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] digest = new byte[32];

    public PacketMac(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a tunnel key has " + KEY_BYTES + " bytes, not " + key.length);
        }
        try {
            inner = MessageDigest.getInstance("SHA-256");
            outer = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        for (int i = 0; i < BLOCK; i++) {
            byte k = i < key.length ? key[i] : 0;
            innerPad[i] = (byte) (k ^ 0x36);
            outerPad[i] = (byte) (k ^ 0x5c);
        }
    }

    /** Writes the tag of {@code buf[from, to)} at {@code to}; the buffer's position and limit are kept. */
    public void seal(ByteBuffer buf, int from, int to) {
        compute(buf, from, to);
        for (int i = 0; i < TAG_BYTES; i++) {
            buf.put(to + i, digest[i]);
        }
    }

    /** Whether the tag at {@code to} is that of {@code buf[from, to)}, compared in constant time. */
    public boolean verify(ByteBuffer buf, int from, int to) {
        compute(buf, from, to);
        int diff = 0;
        for (int i = 0; i < TAG_BYTES; i++) {
            diff |= digest[i] ^ buf.get(to + i);
        }
        return diff == 0;
    }

    private void compute(ByteBuffer buf, int from, int to) {
        int position = buf.position();
        int limit = buf.limit();
        try {
            inner.update(innerPad);
            buf.limit(to).position(from);
            inner.update(buf);
            inner.digest(digest, 0, digest.length);
            outer.update(outerPad);
            outer.update(digest);
            outer.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        } finally {
            buf.limit(limit).position(position);
        }
    }
}
