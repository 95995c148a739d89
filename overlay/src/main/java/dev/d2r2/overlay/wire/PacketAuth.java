package dev.d2r2.overlay.wire;

import dev.d2r2.overlay.wire.MalformedPacket.Reason;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Authenticates packets with the overlay's network key: HMAC-SHA256 cut to 16 bytes over the
 * whole packet. The overlay is run by one operator, so a shared key keeps strangers out at the
 * cost of one MAC a packet (an Ed25519 signature per packet would cost a verification for every
 * datagram, and a node's id would still prove nothing about its address); who may write a key is
 * settled separately, by the value's own signature ({@code SignedValue}).
 *
 * <p>Replays: a packet whose time is more than {@link #window} ms from the receiver's clock is
 * refused, and so is a second copy of a MAC seen within the window. The memory of MACs is bounded
 * ({@link #MAX_REMEMBERED}); when it is full, new packets are refused as replays rather than
 * letting old MACs be forgotten early, so a flood cannot open a replay hole.
 */
public final class PacketAuth {
    public static final int MAC_BYTES = 16;
    public static final int KEY_BYTES = 32;
    static final int MAX_REMEMBERED = 200_000;

    private final Mac mac;
    private final long window;
    private final Map<Long, Long> seen = new HashMap<>();
    private final ArrayDeque<long[]> order = new ArrayDeque<>();
    private final byte[] macOut = new byte[32];

    public PacketAuth(byte[] networkKey, long windowMillis) {
        if (networkKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("a network key has " + KEY_BYTES + " bytes, not " + networkKey.length);
        }
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(networkKey, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
        this.window = windowMillis;
    }

    /** Appends the MAC of the bytes written so far. */
    public void seal(ByteBuffer out) {
        ByteBuffer covered = out.duplicate().flip();
        mac.update(covered);
        try {
            mac.doFinal(macOut, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        out.put(macOut, 0, MAC_BYTES);
    }

    /**
     * Checks the MAC, the packet's time and that it is new; on success the buffer's limit is moved
     * before the MAC, so the caller reads the body alone.
     */
    public void open(ByteBuffer in, long nowMillis) throws MalformedPacket {
        int end = in.limit() - MAC_BYTES;
        ByteBuffer covered = in.duplicate().limit(end);
        mac.update(covered);
        try {
            mac.doFinal(macOut, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] got = new byte[MAC_BYTES];
        in.get(end, got);
        if (!MessageDigest.isEqual(got, Arrays.copyOf(macOut, MAC_BYTES))) {
            throw new MalformedPacket(Reason.UNAUTHENTICATED, "bad MAC (another network key, or altered)");
        }
        long sent = in.getLong(in.position() + 4);
        if (Math.abs(nowMillis - sent) > window) {
            throw new MalformedPacket(Reason.STALE, "sent at " + sent + ", " + (nowMillis - sent) + " ms from now");
        }
        forget(nowMillis);
        long id = ByteBuffer.wrap(got).getLong();
        if (seen.containsKey(id) || seen.size() >= MAX_REMEMBERED) {
            throw new MalformedPacket(Reason.REPLAYED, "a packet seen before");
        }
        seen.put(id, nowMillis);
        order.addLast(new long[]{id, nowMillis});
        in.limit(end);
    }

    private void forget(long nowMillis) {
        long[] oldest;
        while ((oldest = order.peekFirst()) != null && oldest[1] < nowMillis - 2 * window) {
            order.pollFirst();
            seen.remove(oldest[0]);
        }
    }
}
