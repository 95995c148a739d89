package dev.d2r2.p2psip.tunnel;

import javax.crypto.KeyAgreement;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/** X25519 keys as 32 raw bytes on the wire, and the key agreement (all from the JDK). */
public final class X25519 {
    public static final int KEY_BYTES = 32;
    /** The fixed X.509 SubjectPublicKeyInfo prefix of an X25519 key (RFC 8410); the raw key follows it. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};

    private X25519() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("X25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no X25519", e);
        }
    }

    public static byte[] raw(PublicKey key) {
        byte[] encoded = key.getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - KEY_BYTES, encoded.length);
    }

    /**
     * The shared secret of {@code mine} and the peer's raw public key.
     *
     * @throws GeneralSecurityException if the peer's key is not a usable point (e.g. all zeros)
     */
    public static byte[] agree(PrivateKey mine, byte[] peerRaw) throws GeneralSecurityException {
        byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + KEY_BYTES);
        System.arraycopy(peerRaw, 0, encoded, X509_PREFIX.length, KEY_BYTES);
        PublicKey peer = KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(encoded));
        KeyAgreement agreement = KeyAgreement.getInstance("X25519");
        agreement.init(mine);
        agreement.doPhase(peer, true);
        return agreement.generateSecret();
    }
}
