package dev.d2r2.broker.security;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/** The JDK primitives the broker uses, with the algorithm choices in one place. */
public final class Crypto {
    public static final int SECRET_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int GCM_TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Crypto() {
    }

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    public static Mac hmac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** A SHA-256 digest: what a voted subscriber compares its replicas' copies by. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The proof that a client holds {@code secret}, for the broker's challenge {@code nonce}. */
    public static byte[] authProof(byte[] secret, byte[] nonce) {
        Mac mac = hmac(secret);
        mac.update("d2r2-auth-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return mac.doFinal(nonce);
    }

    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** Whether {@code a} equals {@code b[off, off + len)}, in a time that depends on the lengths only. */
    public static boolean constantTimeEquals(byte[] a, byte[] b, int off, int len) {
        if (len != a.length) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < len; i++) {
            diff |= a[i] ^ b[off + i];
        }
        return diff == 0;
    }

    public static KeyPair newSigningKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 unavailable", e);
        }
    }

    public static PublicKey publicKey(byte[] x509) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public static PrivateKey privateKey(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    public static Cipher aesGcm() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    public static SecretKeySpec aesKey(byte[] key) {
        return new SecretKeySpec(key, "AES");
    }

    public static GCMParameterSpec gcmSpec(byte[] nonce) {
        return new GCMParameterSpec(GCM_TAG_BITS, nonce);
    }
}
