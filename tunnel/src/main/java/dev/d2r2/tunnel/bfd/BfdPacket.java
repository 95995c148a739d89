package dev.d2r2.tunnel.bfd;

import java.nio.ByteBuffer;

/**
 * A BFD Control packet (RFC 5880 §4.1) without its optional authentication section (the tunnel
 * frame that carries it is authenticated) and without Demand mode, which d2r2 does not use.
 * Intervals are in microseconds on the wire, as in the RFC.
 */
public record BfdPacket(int diag, BfdState state, boolean poll, boolean fin, int detectMult, int myDiscriminator,
                        int yourDiscriminator, long desiredMinTxMicros, long requiredMinRxMicros) {
    public static final int BYTES = 24;
    static final int VERSION = 1;

    /** Writes the packet at {@code offset}. */
    public void write(ByteBuffer buf, int offset) {
        buf.put(offset, (byte) (VERSION << 5 | diag & 0x1f));
        buf.put(offset + 1, (byte) (state.ordinal() << 6 | (poll ? 0x20 : 0) | (fin ? 0x10 : 0)));
        buf.put(offset + 2, (byte) detectMult);
        buf.put(offset + 3, (byte) BYTES);
        buf.putInt(offset + 4, myDiscriminator);
        buf.putInt(offset + 8, yourDiscriminator);
        buf.putInt(offset + 12, (int) desiredMinTxMicros);
        buf.putInt(offset + 16, (int) requiredMinRxMicros);
        buf.putInt(offset + 20, 0);
    }

    /**
     * Reads and checks a packet as RFC 5880 §6.8.6 asks before any state is touched: version 1,
     * a length that fits, a non-zero detect multiplier and own discriminator, no multipoint bit,
     * and a peer discriminator unless the sender is down.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static BfdPacket read(ByteBuffer buf, int offset, int length) {
        if (length < BYTES) {
            throw new IllegalArgumentException("a BFD packet has at least " + BYTES + " bytes, not " + length);
        }
        int b0 = buf.get(offset) & 0xff;
        int b1 = buf.get(offset + 1) & 0xff;
        int declared = buf.get(offset + 3) & 0xff;
        if (b0 >>> 5 != VERSION) {
            throw new IllegalArgumentException("BFD version " + (b0 >>> 5));
        }
        if (declared < BYTES || declared > length) {
            throw new IllegalArgumentException("BFD length field " + declared + " in " + length + " bytes");
        }
        if ((b1 & 0x0f) != 0) {
            throw new IllegalArgumentException("BFD flags C, A, D or M set; d2r2 uses none of them");
        }
        BfdPacket p = new BfdPacket(b0 & 0x1f, BfdState.of(b1 >>> 6), (b1 & 0x20) != 0, (b1 & 0x10) != 0,
                buf.get(offset + 2) & 0xff, buf.getInt(offset + 4), buf.getInt(offset + 8),
                buf.getInt(offset + 12) & 0xffffffffL, buf.getInt(offset + 16) & 0xffffffffL);
        if (p.poll && p.fin) {
            throw new IllegalArgumentException("BFD poll and final both set");
        }
        if (p.detectMult == 0 || p.myDiscriminator == 0) {
            throw new IllegalArgumentException("BFD detect multiplier or own discriminator zero");
        }
        if (p.yourDiscriminator == 0 && p.state != BfdState.DOWN && p.state != BfdState.ADMIN_DOWN) {
            throw new IllegalArgumentException("BFD peer discriminator zero in state " + p.state);
        }
        return p;
    }
}
