package dev.d2r2.cluster.events;

import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.cluster.command.MalformedCommandException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Events of one replicated channel in one Raft log entry, in the order the replica that took
 * them submitted them, with that replica's clock when it made the entry (every replica's log
 * stamps them with it):
 *
 * <pre>
 *   {@value #MARKER} (1 byte, never a control command's version) | version 1 (1 byte)
 *   | tag length (2 bytes) | tag (UTF-8) | time (8 bytes, ms) | count (4 bytes)
 *   | count x (envelope length (4 bytes) | envelope)
 * </pre>
 */
public record EventBatch(String tag, long time, List<byte[]> envelopes) {
    public static final int MARKER = 0xEB;
    private static final int VERSION = 1;

    /** Whether {@code entry} is an event batch (else a control command). */
    public static boolean isBatch(byte[] entry) {
        return entry.length > 0 && (entry[0] & 0xff) == MARKER;
    }

    public byte[] encode() {
        byte[] tagBytes = tag.getBytes(StandardCharsets.UTF_8);
        int size = 2 + 2 + tagBytes.length + 8 + 4;
        for (byte[] e : envelopes) {
            size += 4 + e.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put((byte) MARKER).put((byte) VERSION).putShort((short) tagBytes.length).put(tagBytes).putLong(time)
                .putInt(envelopes.size());
        for (byte[] e : envelopes) {
            b.putInt(e.length).put(e);
        }
        return b.array();
    }

    /** The batch in {@code entry}; anything else (truncated, trailing bytes, a bad tag) is refused. */
    public static EventBatch decode(byte[] entry) throws MalformedCommandException {
        ByteBuffer b = ByteBuffer.wrap(entry);
        try {
            if ((b.get() & 0xff) != MARKER) {
                throw malformed(b, "not an event batch");
            }
            int version = b.get() & 0xff;
            if (version != VERSION) {
                throw malformed(b, "event batch version " + version + ", this replica reads version " + VERSION);
            }
            byte[] tagBytes = new byte[b.getShort() & 0xffff];
            b.get(tagBytes);
            String tag = new String(tagBytes, StandardCharsets.UTF_8);
            ChannelSpec.validateTag(tag);
            long time = b.getLong();
            int n = b.getInt();
            if (n < 1 || n > b.remaining() / 4) {
                throw malformed(b, "event count " + n);
            }
            List<byte[]> envelopes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int len = b.getInt();
                if (len < 0 || len > b.remaining()) {
                    throw malformed(b, "envelope length " + len);
                }
                byte[] e = new byte[len];
                b.get(e);
                envelopes.add(e);
            }
            if (b.hasRemaining()) {
                throw malformed(b, b.remaining() + " trailing bytes");
            }
            return new EventBatch(tag, time, envelopes);
        } catch (BufferUnderflowException e) {
            throw malformed(b, "truncated");
        } catch (IllegalArgumentException e) {
            throw malformed(b, e.getMessage());
        }
    }

    private static MalformedCommandException malformed(ByteBuffer b, String why) {
        return new MalformedCommandException("event batch malformed at byte " + b.position() + ": " + why);
    }
}
