package dev.d2r2.p2psip.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A user's request for certificates: one key for an identity certificate, 1–{@link #MAX_KEYS}
 * for a batch of pseudonyms of one kind. One UDP datagram, big-endian:
 * <pre>
 * magic "AQ" (2) · version 1 (1) · kind (1) · time ms (8) · nonce (8) · user length (1) · user (UTF-8)
 *   · key count (1) · per key: public key (32) · proof (64) · HMAC-SHA256 (32)
 * </pre>
 * The HMAC, keyed with the user's long-term secret, covers everything before it.
 */
public record AsRequest(CertificateKind kind, long timeMillis, long nonce, String user, List<KeyProof> keys) {
    public static final int MAX_KEYS = 8;
    public static final int MAC_BYTES = 32;
    public static final int MAX_BYTES = 2 + 1 + 1 + 8 + 8 + 1 + Enrolments.MAX_USER_BYTES + 1
            + MAX_KEYS * (Certificate.KEY_BYTES + Certificate.SIGNATURE_BYTES) + MAC_BYTES;
    private static final short MAGIC = 0x4151;
    private static final byte VERSION = 1;

    public AsRequest {
        keys = List.copyOf(keys);
        if (keys.isEmpty() || keys.size() > MAX_KEYS || (kind == CertificateKind.IDENTITY && keys.size() != 1)) {
            throw new IllegalArgumentException("one key for an identity, 1–" + MAX_KEYS + " for pseudonyms, not " + keys.size());
        }
        Enrolments.checkUser(user);
    }

    /** A request as received: its fields, and the bytes and HMAC to check once the user's secret is known. */
    public record Received(AsRequest request, byte[] covered, byte[] mac) {
        public boolean authentic(byte[] secret) {
            return MessageDigest.isEqual(hmac(secret, covered), mac);
        }
    }

    public byte[] encode(byte[] secret) {
        byte[] name = user.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(MAX_BYTES);
        out.putShort(MAGIC).put(VERSION).put((byte) kind.ordinal()).putLong(timeMillis).putLong(nonce).put((byte) name.length).put(name)
                .put((byte) keys.size());
        for (KeyProof k : keys) {
            out.put(k.publicKey()).put(k.proof());
        }
        byte[] covered = Arrays.copyOf(out.array(), out.position());
        out.put(hmac(secret, covered));
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Parses a datagram strictly; {@code nonceOut[0]} gets the nonce as soon as it is read, for the error answer. */
    public static Received decode(byte[] bytes, long[] nonceOut) throws RequestRefused {
        if (bytes.length > MAX_BYTES) {
            throw new RequestRefused(Refusal.MALFORMED, bytes.length + " bytes, at most " + MAX_BYTES);
        }
        if (bytes.length < MAC_BYTES) {
            throw new RequestRefused(Refusal.MALFORMED, bytes.length + " bytes, shorter than a MAC");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, bytes.length - MAC_BYTES);
        try {
            if (in.getShort() != MAGIC || in.get() != VERSION) {
                throw new RequestRefused(Refusal.MALFORMED, "not a request of version " + VERSION);
            }
            int code = in.get() & 0xFF;
            long time = in.getLong();
            long nonce = in.getLong();
            nonceOut[0] = nonce;
            CertificateKind kind = CertificateKind.ofCode(code);
            if (kind == null) {
                throw new RequestRefused(Refusal.MALFORMED, "unknown certificate kind " + code);
            }
            byte[] name = new byte[in.get() & 0xFF];
            in.get(name);
            String user = utf8(name);
            int count = in.get() & 0xFF;
            if (count == 0 || count > MAX_KEYS || (kind == CertificateKind.IDENTITY && count != 1)) {
                throw new RequestRefused(Refusal.MALFORMED, count + " keys for a " + kind + " request");
            }
            List<KeyProof> keys = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] key = new byte[Certificate.KEY_BYTES];
                byte[] proof = new byte[Certificate.SIGNATURE_BYTES];
                in.get(key).get(proof);
                keys.add(new KeyProof(key, proof));
            }
            if (in.hasRemaining()) {
                throw new RequestRefused(Refusal.MALFORMED, in.remaining() + " bytes after the keys");
            }
            AsRequest request;
            try {
                request = new AsRequest(kind, time, nonce, user, keys);
            } catch (IllegalArgumentException e) {
                throw new RequestRefused(Refusal.MALFORMED, e.getMessage());
            }
            return new Received(request, Arrays.copyOf(bytes, bytes.length - MAC_BYTES),
                    Arrays.copyOfRange(bytes, bytes.length - MAC_BYTES, bytes.length));
        } catch (BufferUnderflowException e) {
            throw new RequestRefused(Refusal.MALFORMED, "the request ends early");
        }
    }

    private static String utf8(byte[] name) throws RequestRefused {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(name)).toString();
        } catch (CharacterCodingException e) {
            throw new RequestRefused(Refusal.MALFORMED, "a user name that is not UTF-8");
        }
    }

    static byte[] hmac(byte[] secret, byte[] covered) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(covered);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }
}
