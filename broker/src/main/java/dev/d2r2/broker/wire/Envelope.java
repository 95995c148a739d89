package dev.d2r2.broker.wire;

import dev.d2r2.broker.Protection;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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
public final class Envelope {
    public static final byte VERSION = 1;
    public static final int MAX_PAYLOAD_BYTES = 16 << 20;
    private static final Protection[] PROTECTIONS = Protection.values();

    private final Protection protection;
    private final long sequence;
    private final long publisherTime;
    private final String publisher;
    private final byte[] nonce;
    private final byte[] payload;
    private final Event event;
    private final int sealStart;
    private volatile byte[] bytes;

    private Envelope(Protection protection, long sequence, long publisherTime, String publisher, byte[] nonce,
                     byte[] payload, Event event, byte[] bytes, int sealStart) {
        this.protection = protection;
        this.sequence = sequence;
        this.publisherTime = publisherTime;
        this.publisher = publisher;
        this.nonce = nonce;
        this.payload = payload;
        this.event = event;
        this.bytes = bytes;
        this.sealStart = sealStart;
    }

    /** An unsealed (SI) envelope carrying the event object; bytes are made on demand. */
    public static Envelope ofEvent(String publisher, long sequence, long publisherTime, Event event) {
        return new Envelope(Protection.SI, sequence, publisherTime, publisher, new byte[0], null, event, null, -1);
    }

    /** Builds the bytes of an envelope; {@code sealer} computes the seal over the prefix. */
    public static Envelope build(String channel, Protection protection, String publisher, long sequence,
                                 long publisherTime, byte[] nonce, byte[] payload, Sealer sealer) {
        byte[] pub = publisher.getBytes(StandardCharsets.UTF_8);
        int prefix = 1 + 1 + 8 + 8 + 2 + pub.length + 1 + nonce.length + 4 + payload.length;
        int sealLen = sealer.sealLength();
        ByteBuffer b = ByteBuffer.allocate(prefix + 2 + sealLen);
        b.put(VERSION).put((byte) protection.ordinal()).putLong(sequence).putLong(publisherTime)
                .putShort((short) pub.length).put(pub)
                .put((byte) nonce.length).put(nonce)
                .putInt(payload.length).put(payload)
                .putShort((short) sealLen);
        byte[] out = b.array();
        if (sealLen > 0) {
            byte[] seal = sealer.seal(channelPrefix(channel), out, 0, prefix);
            System.arraycopy(seal, 0, out, prefix + 2, sealLen);
        }
        return new Envelope(protection, sequence, publisherTime, publisher, nonce, payload, null, out, prefix);
    }

    public static Envelope parse(byte[] bytes) throws ProtocolException {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
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
            int len = b.getInt();
            if (len < 0 || len > MAX_PAYLOAD_BYTES) {
                throw new ProtocolException("payload length " + len + " out of range");
            }
            byte[] payload = bytes(b, len);
            int sealStart = b.position();
            bytes(b, b.getShort() & 0xffff);
            if (b.hasRemaining()) {
                throw new ProtocolException(b.remaining() + " bytes after the envelope's seal");
            }
            return new Envelope(PROTECTIONS[p], seq, time, publisher, nonce, payload, null, bytes, sealStart);
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
        return new String(bytes(b, n), StandardCharsets.UTF_8);
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

    /** The payload as carried: plain, or ciphertext on PKE channels. */
    public byte[] payload() {
        return payload != null ? payload : EventCodec.encode(event);
    }

    /** The event object handed over in-process, or null. */
    public Event event() {
        return event;
    }

    /** The seal's bytes (empty for SI). */
    public byte[] seal() {
        byte[] b = bytes();
        int sealStart = sealStart();
        int len = ((b[sealStart] & 0xff) << 8) | (b[sealStart + 1] & 0xff);
        byte[] seal = new byte[len];
        System.arraycopy(b, sealStart + 2, seal, 0, len);
        return seal;
    }

    /** The length of the sealed prefix of {@link #bytes()}. */
    public int sealStart() {
        return sealStart >= 0 ? sealStart : bytes().length - 2;
    }

    public byte[] bytes() {
        byte[] b = bytes;
        if (b == null) {
            b = build("", Protection.SI, publisher, sequence, publisherTime, nonce, payload(), Sealer.NONE).bytes;
            bytes = b;
        }
        return b;
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
