package dev.d2r2.broker.wire;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The network wire format, version 1 (see docs/broker.md for the whole protocol).
 *
 * <pre>
 *  frame := u32 length | u8 type | body      (length counts type and body: 1..MAX_FRAME_BYTES)
 *  str   := u16 length | UTF-8 bytes
 *  bytes := u32 length | bytes
 *
 *  client → broker                         broker → client
 *  1 HELLO   u32 magic "D2R2", u8 version,  64 CHALLENGE bytes nonce
 *            str identity                   65 RESPONSE  u32 request, u16 status (0 = ok, else
 *  2 AUTH    bytes proof                                 an ErrorCode), bytes JSON body or message
 *  3 REQUEST u32 request, u8 op,            66 ACK       u32 publisher, u64 sequence (cumulative)
 *            bytes JSON body                67 REFUSED   u32 publisher, u64 sequence, u16 code, str why
 *  4 PUBLISH u32 publisher, envelope        68 DELIVER   u32 subscription, u64 offset, u64 time, envelope
 *            (rest of the frame)            69 MISSING   u32 subscription, u64 from, u64 to, u64 count,
 *                                                        u64 from time, u64 to time
 *                                           70 ENDED     u32 subscription, u16 code, str why
 *                                           71 ERROR     u16 code, str why (the broker then closes)
 * </pre>
 * Integers are big-endian. Request ops are listed in {@link Op}.
 */
public final class Frames {
    public static final int MAGIC = 0x44325232;
    public static final byte VERSION = 1;
    public static final int MAX_FRAME_BYTES = Envelope.MAX_PAYLOAD_BYTES + 64 * 1024;
    /** Before a client has authenticated, it may send only this much per frame. */
    public static final int MAX_HANDSHAKE_FRAME_BYTES = 4096;

    public static final byte HELLO = 1;
    public static final byte AUTH = 2;
    public static final byte REQUEST = 3;
    public static final byte PUBLISH = 4;
    public static final byte CHALLENGE = 64;
    public static final byte RESPONSE = 65;
    public static final byte ACK = 66;
    public static final byte REFUSED = 67;
    public static final byte DELIVER = 68;
    public static final byte MISSING = 69;
    public static final byte ENDED = 70;
    public static final byte ERROR = 71;

    /** Control operations carried by REQUEST frames; bodies are JSON. */
    public enum Op {
        REGISTER, CREATE_CHANNEL, ALTER_CHANNEL, LIST_CHANNELS, SHOW_CHANNEL, OPEN_PUBLISHER, CLOSE_PUBLISHER,
        SUBSCRIBE, UNSUBSCRIBE;

        private static final Op[] ALL = values();

        public static Op of(int code) throws ProtocolException {
            if (code < 0 || code >= ALL.length) {
                throw new ProtocolException("unknown request op " + code);
            }
            return ALL[code];
        }
    }

    private static final byte[] NO_BUFFER = new byte[0];

    private Frames() {
    }

    /**
     * Reads one frame into a fresh buffer positioned after the type byte; returns null at a clean
     * end of stream (between frames).
     */
    public static ByteBuffer read(DataInputStream in) throws IOException, ProtocolException {
        return read(in, MAX_FRAME_BYTES);
    }

    /** As {@link #read(DataInputStream)}, refusing frames longer than {@code maxBytes}. */
    public static ByteBuffer read(DataInputStream in, int maxBytes) throws IOException, ProtocolException {
        return read(in, maxBytes, NO_BUFFER);
    }

    /**
     * As {@link #read(DataInputStream, int)}, into {@code reuse} when the frame fits (a fresh
     * array otherwise): for a reader done with each frame before it reads the next, so that
     * reading makes no garbage.
     */
    public static ByteBuffer read(DataInputStream in, int maxBytes, byte[] reuse) throws IOException, ProtocolException {
        int length = length(in, maxBytes);
        if (length < 0) {
            return null;
        }
        byte[] frame = length <= reuse.length ? reuse : new byte[length];
        in.readFully(frame, 0, length);
        return ByteBuffer.wrap(frame, 0, length);
    }

    /** The next frame's length, or -1 at a clean end of stream. */
    private static int length(DataInputStream in, int maxBytes) throws IOException, ProtocolException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return -1;
        }
        if (length < 1 || length > maxBytes) {
            throw new ProtocolException("frame length " + length + " out of range 1.." + maxBytes);
        }
        return length;
    }

    public static void writeHeader(DataOutputStream out, int bodyLength, byte type) throws IOException {
        out.writeInt(bodyLength + 1);
        out.writeByte(type);
    }

    public static String str(ByteBuffer b) throws ProtocolException {
        return new String(bytes(b, u16(b)), StandardCharsets.UTF_8);
    }

    public static byte[] bytes(ByteBuffer b) throws ProtocolException {
        int n = i32(b);
        if (n < 0) {
            throw new ProtocolException("negative length");
        }
        return bytes(b, n);
    }

    public static byte[] bytes(ByteBuffer b, int n) throws ProtocolException {
        if (n > b.remaining()) {
            throw new ProtocolException("field of " + n + " bytes overruns its frame");
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    public static int u8(ByteBuffer b) throws ProtocolException {
        try {
            return b.get() & 0xff;
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("truncated frame");
        }
    }

    public static int u16(ByteBuffer b) throws ProtocolException {
        try {
            return b.getShort() & 0xffff;
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("truncated frame");
        }
    }

    public static int i32(ByteBuffer b) throws ProtocolException {
        try {
            return b.getInt();
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("truncated frame");
        }
    }

    public static long i64(ByteBuffer b) throws ProtocolException {
        try {
            return b.getLong();
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("truncated frame");
        }
    }

    public static byte[] utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xffff) {
            throw new IllegalArgumentException("string longer than 65535 bytes");
        }
        return b;
    }

    public static void writeStr(DataOutputStream out, byte[] utf8) throws IOException {
        out.writeShort(utf8.length);
        out.write(utf8);
    }
}
