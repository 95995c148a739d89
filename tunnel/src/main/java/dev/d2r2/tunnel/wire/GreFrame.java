package dev.d2r2.tunnel.wire;

import java.nio.ByteBuffer;

/**
 * GRE-in-UDP framing (RFC 8086): a GRE header (RFC 2784, with the key and sequence number fields of
 * RFC 2890) as the UDP payload, then the tunnelled packet, then a {@link PacketMac} tag over all of
 * it. The key field carries the tunnel id, which selects the key; the sequence number counts the
 * sender's packets. d2r2 always sends K and S set, C clear, version 0, and refuses anything else:
 *
 * <pre>
 *  0               1               2               3
 * |0|0|1|1|0 0 0 0 0 0 0 0|0 0 0| protocol type (0x0800, 0x86DD, 0x88B5) |
 * |                       key (tunnel id)                               |
 * |                       sequence number                               |
 * |  payload ...                                 | 16-byte tag          |
 * </pre>
 *
 * RFC 8086 leaves authentication to DTLS; the trailing tag is d2r2's own, cheaper and stateless.
 * Control messages ({@link Control}) travel in the same frames under protocol type 0x88B5 (IEEE
 * local experimental EtherType 1), so one port and one key serve both paths. Nothing here allocates.
 */
public final class GreFrame {
    public static final int HEADER_BYTES = 12;
    public static final int OVERHEAD = HEADER_BYTES + PacketMac.TAG_BYTES;
    public static final int PROTO_IPV4 = 0x0800;
    public static final int PROTO_IPV6 = 0x86DD;
    public static final int PROTO_CONTROL = 0x88B5;
    static final int FLAGS = 0x3000;

    /** Finds the key for a tunnel id, or null for an id this node does not serve. */
    public interface Keys {
        PacketMac macFor(int tunnelId);
    }

    private GreFrame() {
    }

    /**
     * Seals a frame whose payload already sits at {@code [HEADER_BYTES, HEADER_BYTES + payloadLength)}:
     * writes the header before it and the tag after it, and leaves the buffer flipped over the frame.
     */
    public static void seal(ByteBuffer buf, int protocol, int tunnelId, int seq, int payloadLength, PacketMac mac) {
        buf.putShort(0, (short) FLAGS);
        buf.putShort(2, (short) protocol);
        buf.putInt(4, tunnelId);
        buf.putInt(8, seq);
        int end = HEADER_BYTES + payloadLength;
        mac.seal(buf, 0, end);
        buf.limit(end + PacketMac.TAG_BYTES).position(0);
    }

    /** The protocol type for an IP packet by its version nibble, or -1 if it is neither IPv4 nor IPv6. */
    public static int protocolOf(ByteBuffer buf, int offset) {
        return switch ((buf.get(offset) & 0xff) >>> 4) {
            case 4 -> PROTO_IPV4;
            case 6 -> PROTO_IPV6;
            default -> -1;
        };
    }

    /**
     * Checks a received frame in {@code [0, limit)}: the header, the tag under the tunnel id's key,
     * and that an IP payload looks like one. Null when it is good; else why it must be dropped.
     */
    public static Drop open(ByteBuffer frame, Keys keys) {
        Drop bad = header(frame);
        return bad != null ? bad : verify(frame, keys.macFor(tunnelId(frame)));
    }

    /** The first half of {@link #open}: whether the header is one d2r2 sends (null) or why not, before any key is looked up. */
    public static Drop header(ByteBuffer frame) {
        if (frame.limit() < OVERHEAD + 1 || (frame.getShort(0) & 0xffff) != FLAGS) {
            return Drop.MALFORMED;
        }
        int protocol = protocol(frame);
        return protocol != PROTO_IPV4 && protocol != PROTO_IPV6 && protocol != PROTO_CONTROL ? Drop.MALFORMED : null;
    }

    /** The second half of {@link #open}, for a frame whose {@link #header} is good: the tag under {@code mac} (null: an unknown tunnel) and the payload. */
    public static Drop verify(ByteBuffer frame, PacketMac mac) {
        if (mac == null) {
            return Drop.UNKNOWN_TUNNEL;
        }
        if (!mac.verify(frame, 0, frame.limit() - PacketMac.TAG_BYTES)) {
            return Drop.UNAUTHENTICATED;
        }
        int protocol = protocol(frame);
        return protocol == PROTO_CONTROL || ipLooksRight(frame, protocol, payloadLength(frame)) ? null : Drop.MALFORMED;
    }

    private static boolean ipLooksRight(ByteBuffer frame, int protocol, int payload) {
        if (protocolOf(frame, HEADER_BYTES) != protocol) {
            return false;
        }
        if (protocol == PROTO_IPV4) {
            return payload >= 20 && (frame.getShort(HEADER_BYTES + 2) & 0xffff) == payload;
        }
        return payload >= 40 && (frame.getShort(HEADER_BYTES + 4) & 0xffff) + 40 == payload;
    }

    public static int protocol(ByteBuffer frame) {
        return frame.getShort(2) & 0xffff;
    }

    public static int tunnelId(ByteBuffer frame) {
        return frame.getInt(4);
    }

    public static int sequence(ByteBuffer frame) {
        return frame.getInt(8);
    }

    public static int payloadLength(ByteBuffer frame) {
        return frame.limit() - OVERHEAD;
    }
}
