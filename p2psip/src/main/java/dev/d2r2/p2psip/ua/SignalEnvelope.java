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
 * sealed for someone else. The exit and the entry point see the one-time key and ciphertext only:
 * neither the message nor who sent it.
 * <pre>one-time X25519 key (32) · AES-GCM( sender identity key (32) · Ed25519 signature (64) · message ) · tag (16)</pre>
 */
record SignalEnvelope(byte[] sender, byte[] message) {
    private static final byte[] DOMAIN = "d2r2-p2psip-signal-v2".getBytes(StandardCharsets.US_ASCII);
    private static final int KEY = X25519.KEY_BYTES;
    private static final int INNER_HEADER = 32 + 64;
    private static final int TAG_BITS = 128;
    /** Every byte an envelope adds to its message. */
    static final int OVERHEAD = KEY + INNER_HEADER + TAG_BITS / 8;
    /** Each envelope has its own key (from its one-time key), so one fixed nonce is never reused under a key. */
    private static final byte[] NONCE = new byte[12];

    static byte[] seal(Identity sender, byte[] recipient, byte[] recipientSignalKey, byte[] message) {
        try {
            KeyPair oneTime = X25519.generate();
            byte[] oneTimePublic = X25519.raw(oneTime.getPublic());
            byte[] inner = ByteBuffer.allocate(INNER_HEADER + message.length).put(sender.publicKey())
                    .put(sender.sign(signed(recipient, message))).put(message).array();
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
        byte[] message = Arrays.copyOfRange(inner, INNER_HEADER, inner.length);
        if (!Identity.verify(sender, signed(recipient, message), Arrays.copyOfRange(inner, 32, INNER_HEADER))) {
            throw new IllegalArgumentException("a signalling message whose signature does not check");
        }
        return new SignalEnvelope(sender, message);
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

    private static byte[] signed(byte[] recipient, byte[] message) {
        return ByteBuffer.allocate(DOMAIN.length + recipient.length + message.length).put(DOMAIN).put(recipient).put(message).array();
    }
}
