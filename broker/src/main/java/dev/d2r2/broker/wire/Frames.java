package dev.d2r2.broker.wire;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The network wire format, version 1 (see docs/broker.md for the whole protocol): the one
 * encoder ({@code write*}) and the one decoder ({@link #decode}) of every frame, for client and
 * broker alike.
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
 *  5 FORWARD u32 publisher, envelope                     u64 from time, u64 to time
 *            (another publisher's, sealed:
 *            a replica forwarding; no answer)
 *                                           70 ENDED     u32 subscription, u16 code, str why
 *                                           71 ERROR     u16 code, str why (the broker then closes)
 *                                           72 DIGEST    u32 subscription, u64 offset, u64 time,
 *                                                        u64 sequence, str publisher, 32 bytes SHA-256
 *                                                        of the payload (a voted subscriber's copy
 *                                                        that it only votes with)
 * </pre>
 * Integers are big-endian. Request ops are listed in {@link Op}, their bodies in
 * {@link ControlCodec}. A frame with bytes left over after its fields is malformed. Writers
 * hold the connection's write lock; readers decode a frame before reading the next into the same
 * array.
 */
public final class Frames {
    public static final int MAGIC = 0x44325232;
    public static final byte VERSION = 1;
    public static final int MAX_FRAME_BYTES = Envelope.MAX_PAYLOAD_BYTES + 64 * 1024;
    /** Before a client has authenticated, it may send only this much per frame. */
    public static final int MAX_HANDSHAKE_FRAME_BYTES = 4096;
    /** Longer reasons (in REFUSED, ENDED, ERROR and error RESPONSEs) are cut to this many characters. */
    public static final int MAX_REASON_CHARS = 4000;

    public static final byte HELLO = 1;
    public static final byte AUTH = 2;
    public static final byte REQUEST = 3;
    public static final byte PUBLISH = 4;
    /** Another publisher's sealed envelope, forwarded by a replica of a forwarded channel; never answered. */
    public static final byte FORWARD = 5;
    public static final byte CHALLENGE = 64;
    public static final byte RESPONSE = 65;
    public static final byte ACK = 66;
    public static final byte REFUSED = 67;
    public static final byte DELIVER = 68;
    public static final byte MISSING = 69;
    public static final byte ENDED = 70;
    public static final byte ERROR = 71;
    /** What a DELIVER would carry but the payload, and the payload's SHA-256: a subscription asked for digest copies. */
    public static final byte DIGEST = 72;
    public static final int DIGEST_BYTES = 32;

    private static final byte[] NO_BUFFER = new byte[0];

    private Frames() {
    }

    // ---- reading frames off the stream

    /**
     * Reads one frame into a fresh buffer positioned at its type byte; returns null at a clean
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
        int length = readLength(in, maxBytes);
        if (length < 0) {
            return null;
        }
        byte[] frame = length <= reuse.length ? reuse : new byte[length];
        in.readFully(frame, 0, length);
        return ByteBuffer.wrap(frame, 0, length);
    }

    /**
     * The next frame's length (type and body, which the caller then reads), or -1 at a clean end
     * of stream: for a reader that decides where a frame goes before its body arrives.
     */
    public static int readLength(DataInputStream in, int maxBytes) throws IOException, ProtocolException {
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

    // ---- the one decoder

    /** Decodes one frame (as {@link #read} returns it) and hands it to {@code h}. */
    public static void decode(ByteBuffer f, FrameHandler h) throws ProtocolException {
        int type = u8(f);
        switch (type) {
            case HELLO -> {
                int magic = i32(f);
                int version = u8(f);
                String identity = str(f);
                end(f);
                h.onHello(magic, version, identity);
            }
            case AUTH -> h.onAuth(endAfter(f, bytes(f)));
            case REQUEST -> {
                int request = i32(f);
                Op op = Op.of(u8(f));
                h.onRequest(request, op, endAfter(f, bytes(f)));
            }
            case PUBLISH -> {
                int publisher = i32(f);
                h.onPublish(publisher, Envelope.parse(f.array(), f.position(), f.remaining()));
            }
            case FORWARD -> {
                int publisher = i32(f);
                h.onForward(publisher, Envelope.parse(f.array(), f.position(), f.remaining()));
            }
            case CHALLENGE -> h.onChallenge(endAfter(f, bytes(f)));
            case RESPONSE -> {
                int request = i32(f);
                int status = u16(f);
                h.onResponse(request, status, endAfter(f, bytes(f)));
            }
            case ACK -> {
                int publisher = i32(f);
                long sequence = i64(f);
                end(f);
                h.onAck(publisher, sequence);
            }
            case REFUSED -> {
                int publisher = i32(f);
                long sequence = i64(f);
                int code = u16(f);
                String why = str(f);
                end(f);
                h.onRefused(publisher, sequence, code, why);
            }
            case DELIVER -> {
                int subscription = i32(f);
                long offset = i64(f);
                long time = i64(f);
                h.onDeliver(subscription, offset, time, Envelope.parse(f.array(), f.position(), f.remaining()));
            }
            case MISSING -> {
                int subscription = i32(f);
                long from = i64(f);
                long to = i64(f);
                long count = i64(f);
                long fromTime = i64(f);
                long toTime = i64(f);
                end(f);
                h.onMissing(subscription, from, to, count, fromTime, toTime);
            }
            case ENDED -> {
                int subscription = i32(f);
                int code = u16(f);
                String why = str(f);
                end(f);
                h.onEnded(subscription, code, why);
            }
            case DIGEST -> {
                int subscription = i32(f);
                long offset = i64(f);
                long time = i64(f);
                long sequence = i64(f);
                String publisher = str(f);
                byte[] digest = bytes(f, DIGEST_BYTES);
                end(f);
                h.onDigest(subscription, offset, time, publisher, sequence, digest);
            }
            case ERROR -> {
                int code = u16(f);
                String why = str(f);
                end(f);
                h.onError(code, why);
            }
            default -> throw new ProtocolException("unknown frame type " + type);
        }
    }

    private static void end(ByteBuffer f) throws ProtocolException {
        if (f.hasRemaining()) {
            throw new ProtocolException(f.remaining() + " bytes left over after a frame's fields");
        }
    }

    private static byte[] endAfter(ByteBuffer f, byte[] last) throws ProtocolException {
        end(f);
        return last;
    }

    // ---- the one encoder per frame type

    public static void writeHello(DataOutputStream out, String identity) throws IOException {
        byte[] name = utf8(identity);
        header(out, 4 + 1 + 2 + name.length, HELLO);
        out.writeInt(MAGIC);
        out.writeByte(VERSION);
        writeStr(out, name);
    }

    public static void writeAuth(DataOutputStream out, byte[] proof) throws IOException {
        writeBytesFrame(out, AUTH, proof);
    }

    public static void writeRequest(DataOutputStream out, int request, Op op, byte[] body) throws IOException {
        header(out, 4 + 1 + 4 + body.length, REQUEST);
        out.writeInt(request);
        out.writeByte(op.code());
        out.writeInt(body.length);
        out.write(body);
    }

    public static void writePublish(DataOutputStream out, int publisher, EnvelopeBytes envelope) throws IOException {
        writeEnvelope(out, PUBLISH, publisher, envelope);
    }

    public static void writeForward(DataOutputStream out, int publisher, EnvelopeBytes envelope) throws IOException {
        writeEnvelope(out, FORWARD, publisher, envelope);
    }

    private static void writeEnvelope(DataOutputStream out, byte type, int publisher, EnvelopeBytes envelope)
            throws IOException {
        header(out, 4 + envelope.length(), type);
        out.writeInt(publisher);
        envelope.writeTo(out);
    }

    public static void writeChallenge(DataOutputStream out, byte[] nonce) throws IOException {
        writeBytesFrame(out, CHALLENGE, nonce);
    }

    public static void writeResponse(DataOutputStream out, int request, int status, byte[] body) throws IOException {
        header(out, 4 + 2 + 4 + body.length, RESPONSE);
        out.writeInt(request);
        out.writeShort(status);
        out.writeInt(body.length);
        out.write(body);
    }

    public static void writeAck(DataOutputStream out, int publisher, long sequence) throws IOException {
        header(out, 4 + 8, ACK);
        out.writeInt(publisher);
        out.writeLong(sequence);
    }

    public static void writeRefused(DataOutputStream out, int publisher, long sequence, int code, String why)
            throws IOException {
        byte[] b = reason(why);
        header(out, 4 + 8 + 2 + 2 + b.length, REFUSED);
        out.writeInt(publisher);
        out.writeLong(sequence);
        out.writeShort(code);
        writeStr(out, b);
    }

    public static void writeDeliver(DataOutputStream out, int subscription, long offset, long time,
                                    EnvelopeBytes envelope) throws IOException {
        header(out, 4 + 8 + 8 + envelope.length(), DELIVER);
        out.writeInt(subscription);
        out.writeLong(offset);
        out.writeLong(time);
        envelope.writeTo(out);
    }

    public static void writeDigest(DataOutputStream out, int subscription, long offset, long time, byte[] publisher,
                                   long sequence, byte[] digest) throws IOException {
        if (digest.length != DIGEST_BYTES) {
            throw new IllegalArgumentException("a digest is " + DIGEST_BYTES + " bytes, not " + digest.length);
        }
        header(out, 4 + 8 + 8 + 8 + 2 + publisher.length + DIGEST_BYTES, DIGEST);
        out.writeInt(subscription);
        out.writeLong(offset);
        out.writeLong(time);
        out.writeLong(sequence);
        writeStr(out, publisher);
        out.write(digest);
    }

    public static void writeMissing(DataOutputStream out, int subscription, long fromOffset, long toOffset, long count,
                                    long fromTime, long toTime) throws IOException {
        header(out, 4 + 5 * 8, MISSING);
        out.writeInt(subscription);
        out.writeLong(fromOffset);
        out.writeLong(toOffset);
        out.writeLong(count);
        out.writeLong(fromTime);
        out.writeLong(toTime);
    }

    public static void writeEnded(DataOutputStream out, int subscription, int code, String why) throws IOException {
        byte[] b = reason(why);
        header(out, 4 + 2 + 2 + b.length, ENDED);
        out.writeInt(subscription);
        out.writeShort(code);
        writeStr(out, b);
    }

    public static void writeError(DataOutputStream out, int code, String why) throws IOException {
        byte[] b = reason(why);
        header(out, 2 + 2 + b.length, ERROR);
        out.writeShort(code);
        writeStr(out, b);
    }

    /** The UTF-8 of a reason, cut to {@link #MAX_REASON_CHARS}. */
    public static byte[] reason(String why) {
        return utf8(why.length() > MAX_REASON_CHARS ? why.substring(0, MAX_REASON_CHARS) : why);
    }

    private static void writeBytesFrame(DataOutputStream out, byte type, byte[] b) throws IOException {
        header(out, 4 + b.length, type);
        out.writeInt(b.length);
        out.write(b);
    }

    private static void header(DataOutputStream out, int bodyLength, byte type) throws IOException {
        out.writeInt(bodyLength + 1);
        out.writeByte(type);
    }

    private static void writeStr(DataOutputStream out, byte[] utf8) throws IOException {
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    private static byte[] utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xffff) {
            throw new IllegalArgumentException("string longer than 65535 bytes");
        }
        return b;
    }

    // ---- field readers

    private static String str(ByteBuffer b) throws ProtocolException {
        return new String(bytes(b, u16(b)), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) throws ProtocolException {
        int n = i32(b);
        if (n < 0) {
            throw new ProtocolException("negative length");
        }
        return bytes(b, n);
    }

    private static byte[] bytes(ByteBuffer b, int n) throws ProtocolException {
        if (n > b.remaining()) {
            throw new ProtocolException("field of " + n + " bytes overruns its frame");
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static int u8(ByteBuffer b) throws ProtocolException {
        try {
            return b.get() & 0xff;
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    private static int u16(ByteBuffer b) throws ProtocolException {
        try {
            return b.getShort() & 0xffff;
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    private static int i32(ByteBuffer b) throws ProtocolException {
        try {
            return b.getInt();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    private static long i64(ByteBuffer b) throws ProtocolException {
        try {
            return b.getLong();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    private static ProtocolException truncated() {
        return new ProtocolException("truncated frame");
    }
}
