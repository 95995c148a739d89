package dev.d2r2.overlay.kad;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A value in the DHT, signed by its owner. Its key is {@code SHA-256(publicKey ‖ name)} cut to
 * 160 bits, so a key belongs to one identity: a node that forges a value for someone else's key
 * cannot sign it, and a store keeps only the highest sequence number an owner has signed.
 */
public final class SignedValue {
    public static final int MAX_NAME = 64;
    public static final int MAX_DATA = 1024;
    private static final byte[] DOMAIN = "d2r2-overlay-value-v1".getBytes(StandardCharsets.US_ASCII);

    private final byte[] publicKey;
    private final byte[] name;
    private final long seq;
    private final byte[] data;
    private final byte[] signature;
    private final NodeId key;

    private SignedValue(byte[] publicKey, byte[] name, long seq, byte[] data, byte[] signature) {
        this.publicKey = publicKey;
        this.name = name;
        this.seq = seq;
        this.data = data;
        this.signature = signature;
        this.key = keyOf(publicKey, name);
    }

    public static SignedValue sign(Identity owner, byte[] name, long seq, byte[] data) {
        checkSizes(name, data);
        byte[] pk = owner.publicKey();
        return new SignedValue(pk, name.clone(), seq, data.clone(), owner.sign(signedBytes(pk, name, seq, data)));
    }

    /** A value as it came off the wire; {@link #verify()} tells whether its owner signed it. */
    public static SignedValue unverified(byte[] publicKey, byte[] name, long seq, byte[] data, byte[] signature) {
        if (publicKey.length != Identity.PUBLIC_KEY_BYTES || signature.length != Identity.SIGNATURE_BYTES) {
            throw new IllegalArgumentException("a public key has 32 bytes and a signature 64");
        }
        checkSizes(name, data);
        return new SignedValue(publicKey, name, seq, data, signature);
    }

    /**
     * Reads a value as {@link #write} wrote it, unverified.
     * @throws IllegalArgumentException if the name or data is longer than allowed
     * @throws java.nio.BufferUnderflowException if bytes are missing
     */
    public static SignedValue read(ByteBuffer in) {
        byte[] publicKey = new byte[Identity.PUBLIC_KEY_BYTES];
        in.get(publicKey);
        int nameLength = in.get() & 0xFF;
        if (nameLength > MAX_NAME) {
            throw new IllegalArgumentException("a name of " + nameLength + " bytes");
        }
        byte[] name = new byte[nameLength];
        in.get(name);
        long seq = in.getLong();
        int dataLength = in.getShort() & 0xFFFF;
        if (dataLength > MAX_DATA) {
            throw new IllegalArgumentException("data of " + dataLength + " bytes");
        }
        byte[] data = new byte[dataLength];
        in.get(data);
        byte[] signature = new byte[Identity.SIGNATURE_BYTES];
        in.get(signature);
        return new SignedValue(publicKey, name, seq, data, signature);
    }

    public static NodeId keyOf(byte[] publicKey, byte[] name) {
        return NodeId.hash(publicKey, name);
    }

    private static void checkSizes(byte[] name, byte[] data) {
        if (name.length > MAX_NAME || data.length > MAX_DATA) {
            throw new IllegalArgumentException("a value's name is at most " + MAX_NAME + " bytes and its data at most "
                    + MAX_DATA + " (got " + name.length + " and " + data.length + ")");
        }
    }

    private static byte[] signedBytes(byte[] publicKey, byte[] name, long seq, byte[] data) {
        return ByteBuffer.allocate(DOMAIN.length + publicKey.length + 1 + name.length + 8 + data.length)
                .put(DOMAIN).put(publicKey).put((byte) name.length).put(name).putLong(seq).put(data).array();
    }

    public boolean verify() {
        return Identity.verify(publicKey, signedBytes(publicKey, name, seq, data), signature);
    }

    /** The same signed bytes as another (so a store can refresh it without checking the signature again). */
    public boolean sameAs(SignedValue o) {
        return seq == o.seq && Arrays.equals(signature, o.signature) && Arrays.equals(publicKey, o.publicKey)
                && Arrays.equals(name, o.name) && Arrays.equals(data, o.data);
    }

    public NodeId key() {
        return key;
    }

    public long seq() {
        return seq;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] name() {
        return name.clone();
    }

    public byte[] data() {
        return data.clone();
    }

    public void write(ByteBuffer out) {
        out.put(publicKey).put((byte) name.length).put(name).putLong(seq).putShort((short) data.length).put(data).put(signature);
    }

    public int encodedSize() {
        return publicKey.length + 1 + name.length + 8 + 2 + data.length + signature.length;
    }

    @Override
    public String toString() {
        return "value " + key.shortName() + " seq " + seq + " (" + data.length + " bytes)";
    }
}
