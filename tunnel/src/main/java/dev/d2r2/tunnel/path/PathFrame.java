package dev.d2r2.tunnel.path;

import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;

import java.nio.ByteBuffer;

/**
 * The multihomed endpoint's frames: the tunnel's GRE-in-UDP frame ({@link GreFrame}, sealed with
 * the tunnel's key) under protocol type 0x88B6 (IEEE local experimental EtherType 2), whose payload
 * starts with a kind byte and the path's index:
 *
 * <pre>
 * probe | 1 | path | probe sequence (4) |
 * echo  | 2 | path | probe sequence (4) |      the probe sent back on the path it came by
 * data  | 3 | path | the application's datagram ... |
 * </pre>
 *
 * Nothing here allocates.
 */
public final class PathFrame {
    public static final int PROTO_PATH = 0x88B6;
    public static final int PROBE = 1;
    public static final int ECHO = 2;
    public static final int DATA = 3;
    /** Where the kind byte sits; the path index follows it. */
    public static final int KIND_AT = GreFrame.HEADER_BYTES;
    /** Where a probe's sequence or a datagram starts. */
    public static final int BODY_AT = KIND_AT + 2;
    static final int PROBE_BYTES = 6;
    /** K and S set, C clear, version 0: the only flags {@link GreFrame#seal} writes. */
    private static final int GRE_FLAGS = 0x3000;

    private PathFrame() {
    }

    /** Seals a probe or an echo of probe {@code seq} on path {@code path} into {@code buf}, flipped over the frame. */
    public static void sealProbe(ByteBuffer buf, int kind, int path, int seq, int tunnelId, int frameSeq, PacketMac mac) {
        buf.clear();
        buf.put(KIND_AT, (byte) kind).put(KIND_AT + 1, (byte) path).putInt(BODY_AT, seq);
        GreFrame.seal(buf, PROTO_PATH, tunnelId, frameSeq, PROBE_BYTES, mac);
    }

    /** Seals a datagram already at {@code [BODY_AT, BODY_AT + length)}. */
    public static void sealData(ByteBuffer buf, int path, int length, int tunnelId, int frameSeq, PacketMac mac) {
        buf.put(KIND_AT, (byte) DATA).put(KIND_AT + 1, (byte) path);
        GreFrame.seal(buf, PROTO_PATH, tunnelId, frameSeq, 2 + length, mac);
    }

    /**
     * Checks a received frame in {@code [0, limit)} for {@code tunnelId}: null when it is good (then
     * {@link #kind}, {@link #path} and the rest may be read), else why it must be dropped.
     */
    public static Drop open(ByteBuffer frame, int tunnelId, PacketMac mac, int paths) {
        int length = frame.limit();
        if (length < GreFrame.OVERHEAD + 2 || (frame.getShort(0) & 0xffff) != GRE_FLAGS || GreFrame.protocol(frame) != PROTO_PATH) {
            return Drop.MALFORMED;
        }
        if (GreFrame.tunnelId(frame) != tunnelId) {
            return Drop.UNKNOWN_TUNNEL;
        }
        if (!mac.verify(frame, 0, length - PacketMac.TAG_BYTES)) {
            return Drop.UNAUTHENTICATED;
        }
        int kind = kind(frame);
        int payload = GreFrame.payloadLength(frame);
        boolean good = switch (kind) {
            case PROBE, ECHO -> payload == PROBE_BYTES;
            case DATA -> true;
            default -> false;
        };
        return good && path(frame) < paths ? null : Drop.MALFORMED;
    }

    public static int kind(ByteBuffer frame) {
        return frame.get(KIND_AT) & 0xff;
    }

    public static int path(ByteBuffer frame) {
        return frame.get(KIND_AT + 1) & 0xff;
    }

    public static int probeSeq(ByteBuffer frame) {
        return frame.getInt(BODY_AT);
    }

    /** The length of a data frame's datagram. */
    public static int dataLength(ByteBuffer frame) {
        return GreFrame.payloadLength(frame) - 2;
    }
}
