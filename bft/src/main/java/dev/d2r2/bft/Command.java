package dev.d2r2.bft;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A client command as blocks carry it: the replica it was submitted to ({@code origin}), that
 * replica's sequence number for it, and the client's bytes. Replicas forward commands to the
 * leader, again after each view change, so one command can reach several leaders and be proposed
 * more than once; {@link AppliedCommands} keeps only the first decided copy of each
 * (origin, sequence), the same on every replica.
 *
 * <pre>
 * command = origin:u16 seq:i64 payload
 * </pre>
 */
public record Command(int origin, long seq, byte[] payload) {
    static final int HEADER = 2 + 8;

    public byte[] encode() {
        return ByteBuffer.allocate(HEADER + payload.length).putShort((short) origin).putLong(seq).put(payload).array();
    }

    /** The command in {@code bytes}, or null when they are too short or the sequence is not positive. */
    public static Command decode(byte[] bytes) {
        if (bytes.length < HEADER) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int origin = Short.toUnsignedInt(b.getShort());
        long seq = b.getLong();
        return seq < 1 ? null : new Command(origin, seq, Arrays.copyOfRange(bytes, HEADER, bytes.length));
    }

    /** The identity of the command in {@code bytes}, without copying its payload; null as {@link #decode}. */
    static Id idOf(byte[] bytes) {
        if (bytes.length < HEADER) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int origin = Short.toUnsignedInt(b.getShort());
        long seq = b.getLong();
        return seq < 1 ? null : new Id(origin, seq);
    }

    Id id() {
        return new Id(origin, seq);
    }

    /** A command's identity: its origin and sequence number. */
    record Id(int origin, long seq) {
    }
}
