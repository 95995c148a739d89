package dev.d2r2.p2psip.tunnel;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One cell on a link. Every cell has the same size, whatever its type and the hop's position:
 * <pre>
 *  0      1                5                                          1024
 *  +------+----------------+------------------------------------------+
 *  | type | link id (u32)  | body (1019 bytes, see SetupOnion/DataCell)|
 *  +------+----------------+------------------------------------------+
 * </pre>
 * The link id names the tunnel on this one link only; each hop maps the id it shares with its
 * predecessor to another it shares with its successor.
 */
public record Cell(CellType type, int linkId, byte[] body) {
    public static final int BYTES = 1024;
    static final int HEADER_BYTES = 5;
    public static final int BODY_BYTES = BYTES - HEADER_BYTES;

    public Cell {
        if (body.length != BODY_BYTES) {
            throw new IllegalArgumentException("a cell body is " + BODY_BYTES + " bytes, not " + body.length);
        }
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.put((byte) type.code()).putInt(linkId).put(body);
        return b.array();
    }

    /** @throws MalformedCell if the frame is not one cell of a known type */
    public static Cell decode(byte[] frame) throws MalformedCell {
        if (frame.length != BYTES) {
            throw new MalformedCell(Refusal.MALFORMED, "a cell is " + BYTES + " bytes, not " + frame.length);
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        CellType type = CellType.of(b.get() & 0xff);
        int id = b.getInt();
        return new Cell(type, id, Arrays.copyOfRange(frame, HEADER_BYTES, BYTES));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cell c && type == c.type && linkId == c.linkId && Arrays.equals(body, c.body);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + linkId) + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return type + "#" + Integer.toUnsignedString(linkId);
    }
}
