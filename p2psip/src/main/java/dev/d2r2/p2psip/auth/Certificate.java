package dev.d2r2.p2psip.auth;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.p2psip.auth.BadCertificate.Reason;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A key bound by the authentication server to an identity or to a pseudonym, big-endian:
 * <pre>
 * magic "PC" (2) · version 1 (1) · kind (1) · serial (8) · not before ms (8) · not after ms (8)
 *   · public key (32) · subject length (1) · subject (UTF-8) · signature (64)
 * </pre>
 * The signature is the server's Ed25519 signature over everything before it. An identity
 * certificate's subject is its user's name (1–64 bytes); a pseudonym's subject is empty: it
 * carries nothing that names or links to its user (its serial is random, its validity the
 * issuing epoch's, shared by every pseudonym issued in that epoch).
 */
public record Certificate(CertificateKind kind, long serial, long notBeforeMillis, long notAfterMillis, byte[] publicKey, String subject,
                          byte[] signature) {
    public static final int KEY_BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;
    public static final int MAX_SUBJECT_BYTES = 64;
    public static final int MAX_BYTES = 2 + 1 + 1 + 8 + 8 + 8 + KEY_BYTES + 1 + MAX_SUBJECT_BYTES + SIGNATURE_BYTES;
    private static final short MAGIC = 0x5043;
    private static final byte VERSION = 1;

    public Certificate {
        if (publicKey.length != KEY_BYTES || signature.length != SIGNATURE_BYTES) {
            throw new IllegalArgumentException("a key has " + KEY_BYTES + " bytes and a signature " + SIGNATURE_BYTES);
        }
        int subjectBytes = subject.getBytes(StandardCharsets.UTF_8).length;
        if (kind.pseudonym() ? subjectBytes != 0 : subjectBytes == 0 || subjectBytes > MAX_SUBJECT_BYTES) {
            throw new IllegalArgumentException(kind.pseudonym() ? "a pseudonym names nobody" : "an identity's subject has 1–64 bytes");
        }
        if (notAfterMillis <= notBeforeMillis) {
            throw new IllegalArgumentException("not after must follow not before");
        }
        publicKey = publicKey.clone();
        signature = signature.clone();
    }

    /** Signs a new certificate with the server's key. */
    static Certificate sign(Identity server, CertificateKind kind, long serial, long notBefore, long notAfter, byte[] publicKey, String subject) {
        Certificate unsigned = new Certificate(kind, serial, notBefore, notAfter, publicKey, subject, new byte[SIGNATURE_BYTES]);
        return new Certificate(kind, serial, notBefore, notAfter, publicKey, subject, server.sign(unsigned.signedBytes()));
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The certificate's id in its overlay: a hash of kind and key, so a pseudonym's node id is fixed by its certificate. */
    public NodeId nodeId() {
        return NodeId.hash("d2r2-p2psip-node".getBytes(StandardCharsets.US_ASCII), new byte[]{(byte) kind.ordinal()}, publicKey);
    }

    public boolean validAt(long nowMillis) {
        return nowMillis >= notBeforeMillis && nowMillis < notAfterMillis;
    }

    byte[] signedBytes() {
        byte[] all = encode();
        return Arrays.copyOf(all, all.length - SIGNATURE_BYTES);
    }

    public byte[] encode() {
        byte[] name = subject.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(MAX_BYTES - MAX_SUBJECT_BYTES + name.length);
        out.putShort(MAGIC).put(VERSION).put((byte) kind.ordinal()).putLong(serial).putLong(notBeforeMillis).putLong(notAfterMillis)
                .put(publicKey).put((byte) name.length).put(name).put(signature);
        return out.array();
    }

    /** Parses a certificate strictly; says nothing of its signature or validity ({@link CertificateVerifier} does). */
    public static Certificate decode(byte[] bytes) throws BadCertificate {
        if (bytes.length > MAX_BYTES) {
            throw new BadCertificate(Reason.MALFORMED, bytes.length + " bytes, at most " + MAX_BYTES);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (in.getShort() != MAGIC || in.get() != VERSION) {
                throw new BadCertificate(Reason.MALFORMED, "not a certificate of version " + VERSION);
            }
            int code = in.get() & 0xFF;
            CertificateKind kind = CertificateKind.ofCode(code);
            if (kind == null) {
                throw new BadCertificate(Reason.MALFORMED, "unknown kind " + code);
            }
            long serial = in.getLong();
            long notBefore = in.getLong();
            long notAfter = in.getLong();
            byte[] key = new byte[KEY_BYTES];
            in.get(key);
            int nameLength = in.get() & 0xFF;
            if (nameLength > MAX_SUBJECT_BYTES || kind.pseudonym() != (nameLength == 0)) {
                throw new BadCertificate(Reason.MALFORMED, "a " + kind + " certificate with a subject of " + nameLength + " bytes");
            }
            byte[] name = new byte[nameLength];
            in.get(name);
            byte[] signature = new byte[SIGNATURE_BYTES];
            in.get(signature);
            if (in.hasRemaining()) {
                throw new BadCertificate(Reason.MALFORMED, in.remaining() + " bytes after the signature");
            }
            if (notAfter <= notBefore) {
                throw new BadCertificate(Reason.MALFORMED, "not after " + notAfter + " before not before " + notBefore);
            }
            return new Certificate(kind, serial, notBefore, notAfter, key, utf8(name), signature);
        } catch (BufferUnderflowException e) {
            throw new BadCertificate(Reason.MALFORMED, "the certificate ends early (" + bytes.length + " bytes)");
        }
    }

    private static String utf8(byte[] name) throws BadCertificate {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(name)).toString();
        } catch (CharacterCodingException e) {
            throw new BadCertificate(Reason.MALFORMED, "a subject that is not UTF-8");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Certificate c && c.kind == kind && c.serial == serial && c.notBeforeMillis == notBeforeMillis
                && c.notAfterMillis == notAfterMillis && Arrays.equals(c.publicKey, publicKey) && c.subject.equals(subject)
                && Arrays.equals(c.signature, signature);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(serial) * 31 + Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return kind + " " + (subject.isEmpty() ? "" : subject + " ") + HexFormat.of().formatHex(publicKey, 0, 8) + "… serial "
                + Long.toHexString(serial) + " [" + notBeforeMillis + ", " + notAfterMillis + ")";
    }
}
