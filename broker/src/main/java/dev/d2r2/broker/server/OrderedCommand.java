package dev.d2r2.broker.server;

import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One event of an {@code ordered} channel as an ordering command: the channel's tag and the
 * publisher's sealed envelope, {@code u16 tag length, tag (UTF-8), envelope}. A decided command
 * comes from a leader that may lie, so {@link #parse} trusts nothing.
 */
public record OrderedCommand(String tag, Envelope envelope) {
    private static final int MAX_TAG = 255;

    public static byte[] encode(String tag, Envelope e) {
        byte[] t = tag.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + t.length + e.length()).putShort((short) t.length).put(t)
                .put(e.array(), e.offset(), e.length()).array();
    }

    static OrderedCommand parse(byte[] command) throws ProtocolException {
        if (command.length < 2) {
            throw new ProtocolException("ordered command of " + command.length + " bytes");
        }
        int n = ((command[0] & 0xff) << 8) | (command[1] & 0xff);
        if (n == 0 || n > MAX_TAG || 2 + n >= command.length) {
            throw new ProtocolException("ordered command with a channel tag of " + n + " bytes in " + command.length);
        }
        String tag = new String(command, 2, n, StandardCharsets.UTF_8);
        return new OrderedCommand(tag, Envelope.parse(command, 2 + n, command.length - 2 - n));
    }
}
