package dev.d2r2.migrate.takeover;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.ShortBufferException;

/**
 * The keepalive datagram: {@code "DK" version flags priority nameLength epoch seq name} then the
 * first 16 bytes of its HMAC-SHA256 under the group key. One codec per thread: it reuses its
 * {@link Mac} and scratch arrays.
 */
public final class KeepaliveCodec {
    public static final int MAX_NAME = 64;
    public static final int MAX_PACKET = 2 + 4 + 16 + MAX_NAME + 16;
    private static final byte VERSION = 1;
    private static final int HEADER = 2 + 4 + 16;
    private static final int TAG = 16;

    private final Mac mac;
    private final byte[] tag = new byte[32];
    private final byte[] got = new byte[TAG];

    public KeepaliveCodec(byte[] key) {
        if (key.length < 16) {
            throw new IllegalArgumentException("the group key must have at least 16 bytes");
        }
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Writes {@code k} into {@code out} (cleared first) and flips it for sending. */
    public void encode(Keepalive k, ByteBuffer out) {
        byte[] name = k.name().getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_NAME) {
            throw new IllegalArgumentException("member name longer than " + MAX_NAME + " bytes: " + k.name());
        }
        out.clear();
        int start = out.position();
        out.put((byte) 'D').put((byte) 'K').put(VERSION).put((byte) (k.holding() ? 1 : 0)).put((byte) k.priority())
                .put((byte) name.length).putLong(k.epoch()).putLong(k.seq()).put(name);
        out.put(sign(out, start, out.position() - start), 0, TAG);
        out.flip();
    }

    /** The keepalive in {@code in}, authenticated, or an exception naming what is wrong. */
    public Keepalive decode(ByteBuffer in) throws BadKeepalive {
        int start = in.position();
        int length = in.remaining();
        if (length < HEADER + TAG) {
            throw new BadKeepalive("short datagram (" + length + " bytes)");
        }
        if (in.get(start) != 'D' || in.get(start + 1) != 'K' || in.get(start + 2) != VERSION) {
            throw new BadKeepalive("not a version " + VERSION + " keepalive");
        }
        int nameLength = in.get(start + 5) & 0xff;
        if (nameLength == 0 || nameLength > MAX_NAME || length != HEADER + nameLength + TAG) {
            throw new BadKeepalive("bad length");
        }
        byte[] expected = sign(in, start, HEADER + nameLength);
        in.get(start + HEADER + nameLength, got);
        int diff = 0;
        for (int i = 0; i < TAG; i++) {
            diff |= expected[i] ^ got[i];
        }
        if (diff != 0) {
            throw new BadKeepalive("bad HMAC (another group's key, or forged)");
        }
        boolean holding = in.get(start + 3) == 1;
        int priority = in.get(start + 4);
        long epoch = in.getLong(start + 6);
        long seq = in.getLong(start + 14);
        byte[] name = new byte[nameLength];
        in.get(start + HEADER, name);
        in.position(start + length);
        return new Keepalive(new String(name, StandardCharsets.UTF_8), priority, holding, epoch, seq);
    }

    private byte[] sign(ByteBuffer buffer, int from, int length) {
        ByteBuffer view = buffer.duplicate();
        view.limit(from + length).position(from);
        mac.update(view);
        try {
            mac.doFinal(tag, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        return tag;
    }

    /** A datagram that is not an authentic keepalive of this group. */
    public static final class BadKeepalive extends Exception {
        private static final long serialVersionUID = 1L;

        public BadKeepalive(String message) {
            super(message);
        }
    }
}
