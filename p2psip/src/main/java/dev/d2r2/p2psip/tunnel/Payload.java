package dev.d2r2.p2psip.tunnel;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What the two ends of a tunnel exchange inside all layers: a kind, a length and the data,
 * zero-padded to {@link DataCell#PAYLOAD_BYTES} so every payload fills its cell.
 */
public record Payload(Kind kind, byte[] data) {
    /** PING goes to the last hop, which answers PONG instead of handing it to its end: the origin's keepalive. */
    public enum Kind { DATA, SETUP_ACK, PING, PONG }

    static final int HEADER_BYTES = 3;
    public static final int MAX_DATA_BYTES = DataCell.PAYLOAD_BYTES - HEADER_BYTES;

    public Payload {
        if (data.length > MAX_DATA_BYTES) {
            throw new IllegalArgumentException("a cell carries at most " + MAX_DATA_BYTES + " bytes, not " + data.length);
        }
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(DataCell.PAYLOAD_BYTES);
        b.put((byte) kind.ordinal()).putShort((short) data.length).put(data);
        return b.array();
    }

    /** @throws MalformedCell if the kind or the length is out of range (only after every layer verified, so a bug or a hostile end) */
    static Payload decode(byte[] plain) throws MalformedCell {
        ByteBuffer b = ByteBuffer.wrap(plain);
        int kind = b.get() & 0xff;
        int length = b.getShort() & 0xffff;
        if (kind >= Kind.values().length || length > MAX_DATA_BYTES) {
            throw new MalformedCell(Refusal.MALFORMED, "payload kind " + kind + " length " + length);
        }
        return new Payload(Kind.values()[kind], Arrays.copyOfRange(plain, HEADER_BYTES, HEADER_BYTES + length));
    }
}
