package dev.d2r2.broker.wire;

import dev.d2r2.broker.Protection;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One published event as it travels and is stored: publisher, sequence, payload and seal.
 *
 * <pre>
 *  offset  size  field
 *  0       1     version (1)
 *  1       1     protection: 0 SI, 1 HA, 2 PKS, 3 PKE
 *  2       8     publisher sequence number (1, 2, ... per publisher and channel)
 *  10      8     publisher time, epoch ms
 *  18      2+N   publisher identity, u16 length + UTF-8
 *  .       1+K   nonce, u8 length + bytes (K = 12 for PKE, else 0)
 *  .       4+P   payload, i32 length + bytes (AES-GCM ciphertext and tag for PKE)
 *  .       2+S   seal, u16 length + bytes: none (SI), HMAC-SHA256 (HA), Ed25519 signature (PKS, PKE)
 * </pre>
 *
 * The seal covers the channel tag (u16 length + UTF-8) followed by every byte before the seal's
 * length field, so a sealed event cannot be moved to another channel or altered. Integers are
 * big-endian.
 *
 * <p>In-process publishers on {@code SI} channels hand over the {@link Event} itself; the bytes
 * are then made only if something needs them (a log, a network subscriber).
 */
public final class Envelope implements EnvelopeBytes {
    public static final byte VERSION = 1;
    public static final int MAX_PAYLOAD_BYTES = 16 << 20;
    private static final Protection[] PROTECTIONS = Protection.values();

    private final Protection protection;
    private final long sequence;
    private final long publisherTime;
    private final String publisher;
    private final byte[] nonce;
    private final Event event;
    private volatile byte[] buf;
    private int off;
    private int len;
    private int payloadOff;
    private int payloadLen;
    private int sealStart;

    private Envelope(Protection protection, long sequence, long publisherTime, String publisher, byte[] nonce,
                     Event event) {
        this.protection = protection;
        this.sequence = sequence;
        this.publisherTime = publisherTime;
        this.publisher = publisher;
        this.nonce = nonce;
        this.event = event;
    }

    /** An unsealed (SI) envelope carrying the event object; bytes are made on demand. */
    public static Envelope ofEvent(String publisher, long sequence, long publisherTime, Event event) {
        return new Envelope(Protection.SI, sequence, publisherTime, publisher, new byte[0], event);
    }

    /** Builds the bytes of an envelope; {@code sealer} computes the seal over the prefix. */
    public static Envelope build(String channel, Protection protection, String publisher, long sequence,
                                 long publisherTime, byte[] nonce, byte[] payload, Sealer sealer) {
        Envelope e = new Envelope(protection, sequence, publisherTime, publisher, nonce, null);
        e.encode(channel, payload, sealer);
        return e;
    }

    /** The length of an unsealed (SI) envelope of a publisher (its UTF-8 name) and a payload. */
    public static int unsealedLength(byte[] publisher, int payloadLength) {
        return prefixLength(publisher.length, 0, payloadLength) + 2;
    }

    /** The bytes before the seal's length: everything the seal covers but the channel. */
    private static int prefixLength(int publisherLength, int nonceLength, int payloadLength) {
        return 1 + 1 + 8 + 8 + 2 + publisherLength + 1 + nonceLength + 4 + payloadLength;
    }

    /**
     * Writes an unsealed (SI) envelope straight to {@code out}: the bytes {@link #build} makes
     * for SI, with no envelope object and no copy of the payload — the network publisher's
     * path for the most common protection.
     */
    public static void writeUnsealed(DataOutput out, byte[] publisher, long sequence, long publisherTime, byte[] payload)
            throws IOException {
        out.writeByte(VERSION);
        out.writeByte(Protection.SI.ordinal());
        out.writeLong(sequence);
        out.writeLong(publisherTime);
        out.writeShort(publisher.length);
        out.write(publisher);
        out.writeByte(0);
        out.writeInt(payload.length);
        out.write(payload);
        out.writeShort(0);
    }

    private void encode(String channel, byte[] payload, Sealer sealer) {
        byte[] pub = publisher.getBytes(StandardCharsets.UTF_8);
        int prefix = prefixLength(pub.length, nonce.length, payload.length);
        int sealLen = sealer.sealLength();
        ByteBuffer b = ByteBuffer.allocate(prefix + 2 + sealLen);
        b.put(VERSION).put((byte) protection.ordinal()).putLong(sequence).putLong(publisherTime)
                .putShort((short) pub.length).put(pub)
                .put((byte) nonce.length).put(nonce)
                .putInt(payload.length);
        int payloadAt = b.position();
        b.put(payload).putShort((short) sealLen);
        byte[] out = b.array();
        if (sealLen > 0) {
            byte[] seal = sealer.seal(channelPrefix(channel), out, 0, prefix);
            System.arraycopy(seal, 0, out, prefix + 2, sealLen);
        }
        locate(out, 0, out.length, payloadAt, payload.length, prefix);
    }

    /** Points this envelope at its encoded form; {@code buf} is published last (it is volatile). */
    private void locate(byte[] array, int offset, int length, int payloadOffset, int payloadLength, int sealOffset) {
        off = offset;
        len = length;
        payloadOff = payloadOffset;
        payloadLen = payloadLength;
        sealStart = sealOffset;
        buf = array;
    }

    public static Envelope parse(byte[] bytes) throws ProtocolException {
        return parse(bytes, 0, bytes.length);
    }

    /** Parses the envelope in {@code buf[off, off+len)} without copying it; the array must not change after. */
    public static Envelope parse(byte[] buf, int off, int len) throws ProtocolException {
        try {
            ByteBuffer b = ByteBuffer.wrap(buf, off, len);
            byte version = b.get();
            if (version != VERSION) {
                throw new ProtocolException("envelope version " + version + " (expected " + VERSION + ")");
            }
            int p = b.get() & 0xff;
            if (p >= PROTECTIONS.length) {
                throw new ProtocolException("unknown protection " + p);
            }
            long seq = b.getLong();
            long time = b.getLong();
            String publisher = utf8(b, b.getShort() & 0xffff);
            byte[] nonce = bytes(b, b.get() & 0xff);
            int payloadLen = b.getInt();
            if (payloadLen < 0 || payloadLen > MAX_PAYLOAD_BYTES || payloadLen > b.remaining()) {
                throw new ProtocolException("payload length " + payloadLen + " out of range");
            }
            int payloadOff = b.position();
            b.position(payloadOff + payloadLen);
            int sealStart = b.position() - off;
            int sealLen = b.getShort() & 0xffff;
            if (sealLen != b.remaining()) {
                throw new ProtocolException("seal of " + sealLen + " bytes where " + b.remaining() + " remain");
            }
            Envelope e = new Envelope(PROTECTIONS[p], seq, time, publisher, nonce, null);
            e.locate(buf, off, len, payloadOff, payloadLen, sealStart);
            return e;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new ProtocolException("truncated envelope");
        }
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        if (n > b.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static String utf8(ByteBuffer b, int n) {
        if (n > b.remaining()) {
            throw new BufferUnderflowException();
        }
        String s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }

    /** The bytes the seal covers ahead of the envelope: the channel tag, length-prefixed. */
    public static byte[] channelPrefix(String channel) {
        byte[] tag = channel.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + tag.length).putShort((short) tag.length).put(tag).array();
    }

    public Protection protection() {
        return protection;
    }

    public long sequence() {
        return sequence;
    }

    public long publisherTime() {
        return publisherTime;
    }

    public String publisher() {
        return publisher;
    }

    public byte[] nonce() {
        return nonce;
    }

    /** The payload as carried (plain, or ciphertext on PKE channels): a copy. */
    public byte[] payload() {
        if (event != null) {
            return EventCodec.encode(event);
        }
        return Arrays.copyOfRange(buf, payloadOff, payloadOff + payloadLen);
    }

    /** The event object handed over in-process, or null. */
    public Event event() {
        return event;
    }

    /** The seal's bytes (empty for SI). */
    public byte[] seal() {
        encoded();
        return Arrays.copyOfRange(buf, off + sealStart + 2, off + len);
    }

    /** Where the seal's length field starts, relative to {@link #offset()}: the sealed prefix's length. */
    public int sealStart() {
        encoded();
        return sealStart;
    }

    /** The array holding the encoded envelope at [{@link #offset()}, + {@link #length()}). */
    public byte[] array() {
        encoded();
        return buf;
    }

    public int offset() {
        encoded();
        return off;
    }

    @Override
    public int length() {
        encoded();
        return len;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        encoded();
        out.write(buf, off, len);
    }

    /**
     * What identifies this exact envelope (the same sealed event sent again has the same one):
     * the CRC-32C of its bytes and its length. Never 0. {@code crc} is the caller's, reused.
     */
    public long fingerprint(CRC32C crc) {
        encoded();
        crc.reset();
        crc.update(buf, off, len);
        return crc.getValue() << 32 | len;
    }

    /**
     * What identifies this event whatever envelope carries it: the CRC-32C of the payload and its
     * length. The f + 1 copies a forwarded publisher sends differ in time stamp and seal, not in
     * payload. {@code crc} is the caller's, reused.
     */
    public long payloadFingerprint(CRC32C crc) {
        encoded();
        crc.reset();
        crc.update(buf, payloadOff, payloadLen);
        return crc.getValue() << 32 | payloadLen;
    }

    /**
     * The SHA-256 of the payload as carried: what a DIGEST frame says of this event. {@code sha256}
     * is the caller's, reused.
     */
    public byte[] payloadDigest(MessageDigest sha256) {
        encoded();
        sha256.update(buf, payloadOff, payloadLen);
        return sha256.digest();
    }

    /** The encoded envelope, exactly (a copy when it lives inside a larger array). */
    public byte[] bytes() {
        encoded();
        return off == 0 && len == buf.length ? buf : Arrays.copyOfRange(buf, off, off + len);
    }

    private void encoded() {
        if (buf == null) {
            synchronized (this) {
                if (buf == null) {
                    encode("", EventCodec.encode(event), Sealer.NONE);
                }
            }
        }
    }

    /** Computes a seal over the channel prefix and the envelope prefix. */
    public interface Sealer {
        Sealer NONE = new Sealer() {
            @Override
            public int sealLength() {
                return 0;
            }

            @Override
            public byte[] seal(byte[] channelPrefix, byte[] buf, int off, int len) {
                return new byte[0];
            }
        };

        int sealLength();

        byte[] seal(byte[] channelPrefix, byte[] buf, int off, int len);
    }
}
