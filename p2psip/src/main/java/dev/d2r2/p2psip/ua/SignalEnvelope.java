package dev.d2r2.p2psip.ua;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.tunnel.X25519;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.Arrays;

/**
 * A signalling message as it leaves the caller's outbound tunnel for the callee's entry point,
 * encrypted end to end: to the callee's signalling key (X25519, published in its contact data and
 * so signed by its identity key) with a one-time key of the sender's, HKDF-SHA256 and AES-256-GCM.
 * Inside, the sender's identity key and its signature over the recipient's identity key and the
 * message, so the callee refuses a message that claims a sender it does not come from, or that was
 * sealed for someone else. The sender's clock is signed too, and the one-time key names the envelope,
 * so the callee can refuse a copy replayed by a hop on the way ({@link dev.d2r2.p2psip.tunnel.ReplayWindow}).
 * The exit and the entry point see the one-time key and ciphertext only: neither the message nor who sent it.
 * The issue time of the sender's latest stored contact data rides along (signed), so a recipient whose copy is
 * older looks it up again before it answers: an answer to entry points that left would be lost.
 * <pre>one-time X25519 key (32) · AES-GCM( sender identity key (32) · Ed25519 signature (64) · sender's clock, ms (8)
 *   · sender's contact data issue time, ms (8) · message ) · tag (16)</pre>
 */
record SignalEnvelope(byte[] oneTimeKey, byte[] sender, long sentAtMillis, long senderContactMillis, byte[] message) {
    private static final byte[] DOMAIN = "d2r2-p2psip-signal-v4".getBytes(StandardCharsets.US_ASCII);
    private static final int KEY = X25519.KEY_BYTES;
    private static final int SIGNATURE_END = 32 + 64;
    private static final int INNER_HEADER = SIGNATURE_END + 2 * Long.BYTES;
    private static final int TAG_BITS = 128;
    /** Every byte an envelope adds to its message. */
    static final int OVERHEAD = KEY + INNER_HEADER + TAG_BITS / 8;
    /** Each envelope has its own key (from its one-time key), so one fixed nonce is never reused under a key. */
    private static final byte[] NONCE = new byte[12];

    /** @param senderContactMillis the issue time of the sender's contact data last stored: the recipient looks it up again if its copy is older */
    static byte[] seal(Identity sender, byte[] recipient, byte[] recipientSignalKey, long nowMillis, long senderContactMillis, byte[] message) {
        try {
            KeyPair oneTime = X25519.generate();
            byte[] oneTimePublic = X25519.raw(oneTime.getPublic());
            byte[] inner = ByteBuffer.allocate(INNER_HEADER + message.length).put(sender.publicKey())
                    .put(sender.sign(signed(recipient, nowMillis, senderContactMillis, message))).putLong(nowMillis)
                    .putLong(senderContactMillis).put(message).array();
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE, X25519.agree(oneTime.getPrivate(), recipientSignalKey), oneTimePublic, recipient);
            return ByteBuffer.allocate(OVERHEAD + message.length).put(oneTimePublic).put(gcm.doFinal(inner)).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot seal to signalling key: " + e.getMessage(), e);
        }
    }

    /**
     * @throws IllegalArgumentException if the bytes are too short, were not sealed to this signalling key
     *                                  or were altered, or the signature inside does not check
     */
    static SignalEnvelope open(byte[] bytes, byte[] recipient, PrivateKey signalKey) {
        if (bytes.length <= OVERHEAD) {
            throw new IllegalArgumentException("a signalling message of " + bytes.length + " bytes");
        }
        byte[] oneTimePublic = Arrays.copyOf(bytes, KEY);
        byte[] inner;
        try {
            inner = cipher(Cipher.DECRYPT_MODE, X25519.agree(signalKey, oneTimePublic), oneTimePublic, recipient)
                    .doFinal(bytes, KEY, bytes.length - KEY);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("a signalling message altered, or not sealed to this user");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("a signalling message that does not open: " + e.getMessage());
        }
        byte[] sender = Arrays.copyOf(inner, 32);
        ByteBuffer times = ByteBuffer.wrap(inner, SIGNATURE_END, 2 * Long.BYTES);
        long sentAt = times.getLong();
        long contactAt = times.getLong();
        byte[] message = Arrays.copyOfRange(inner, INNER_HEADER, inner.length);
        if (!Identity.verify(sender, signed(recipient, sentAt, contactAt, message), Arrays.copyOfRange(inner, 32, SIGNATURE_END))) {
            throw new IllegalArgumentException("a signalling message whose signature does not check");
        }
        return new SignalEnvelope(oneTimePublic, sender, sentAt, contactAt, message);
    }

    /** The most message bytes one envelope carries through an exit into an entry point. */
    static int maxMessage(int tunnelData) {
        return tunnelData - OVERHEAD;
    }

    /** The key is bound to the one-time key and to the recipient's identity, so an envelope opens for its recipient only. */
    private static Cipher cipher(int mode, byte[] shared, byte[] oneTimePublic, byte[] recipient) throws GeneralSecurityException {
        byte[] info = ByteBuffer.allocate(DOMAIN.length + recipient.length).put(DOMAIN).put(recipient).array();
        byte[] key = KDF.getInstance("HKDF-SHA256").deriveData(
                HKDFParameterSpec.ofExtract().addIKM(shared).addSalt(oneTimePublic).thenExpand(info, 32));
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, NONCE));
        c.updateAAD(oneTimePublic);
        return c;
    }

    private static byte[] signed(byte[] recipient, long sentAtMillis, long senderContactMillis, byte[] message) {
        return ByteBuffer.allocate(DOMAIN.length + recipient.length + 2 * Long.BYTES + message.length).put(DOMAIN).put(recipient)
                .putLong(sentAtMillis).putLong(senderContactMillis).put(message).array();
    }
}
