package dev.d2r2.bft.net;

import dev.d2r2.bft.Ed25519Signatures;
import dev.d2r2.bft.Signatures;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Authenticates the frames between replicas: each frame carries its sender's number and the
 * sender's Ed25519 signature over the SHA-256 of a domain tag, the sender's number and the
 * message. A 32-byte digest is never mistaken for a 47-byte vote statement, so a link signature
 * cannot be passed off as a vote. Not thread-safe: one per thread.
 *
 * <pre>
 * frame = length:u32 from:u16 message signature:64     (length counts from, message, signature)
 * </pre>
 */
final class LinkAuth {
    static final int HEADER_BYTES = 4 + 2;
    static final int SIGNATURE_BYTES = Ed25519Signatures.SIGNATURE_BYTES;
    private static final byte[] DOMAIN = {'d', '2', 'r', '2', '-', 'b', 'f', 't', '-', 'l', 'n', 'k'};

    private final Signatures signatures;
    private final MessageDigest sha256;

    LinkAuth(Signatures signatures) {
        this.signatures = signatures;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    /** The signed frame of {@code message} from replica {@code from}. */
    byte[] frame(int from, byte[] message) {
        byte[] frame = new byte[HEADER_BYTES + message.length + SIGNATURE_BYTES];
        ByteBuffer.wrap(frame).putInt(frame.length - 4).putShort((short) from).put(message)
                .put(signatures.sign(digest(frame, 4, 2 + message.length)));
        return frame;
    }

    /**
     * Whether {@code body} (a frame without its length: from, message, signature) is signed by
     * the replica it names.
     */
    boolean verify(byte[] body) {
        if (body.length < 2 + SIGNATURE_BYTES) {
            return false;
        }
        int from = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
        int signed = body.length - SIGNATURE_BYTES;
        byte[] signature = java.util.Arrays.copyOfRange(body, signed, body.length);
        return signatures.verify(from, digest(body, 0, signed), signature);
    }

    private byte[] digest(byte[] buf, int off, int len) {
        sha256.update(DOMAIN);
        sha256.update(buf, off, len);
        return sha256.digest();
    }
}
