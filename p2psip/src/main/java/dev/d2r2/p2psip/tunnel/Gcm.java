package dev.d2r2.p2psip.tunnel;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * AES-GCM with the tag kept apart from the ciphertext, so a layer never changes the length of
 * what it covers (the tag goes to a slot of its own, see {@link DataCell}). The nonce is the
 * direction's salt XOR the cell's sequence number: nothing of it travels, and a replayed or
 * reordered cell fails its tag.
 */
final class Gcm {
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;

    private Gcm() {
    }

    static byte[] nonce(byte[] salt, long sequence) {
        byte[] nonce = salt.clone();
        for (int i = 0; i < Long.BYTES; i++) {
            nonce[NONCE_BYTES - 1 - i] ^= (byte) (sequence >>> (8 * i));
        }
        return nonce;
    }

    /** Encrypts {@code data[off, off+len)} in place and returns the tag. */
    static byte[] seal(byte[] key, byte[] nonce, byte[] data, int off, int len) {
        byte[] out;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            out = cipher.doFinal(data, off, len);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM with a 128-bit key is missing from this JDK", e);
        }
        System.arraycopy(out, 0, data, off, len);
        byte[] tag = new byte[TAG_BYTES];
        System.arraycopy(out, len, tag, 0, TAG_BYTES);
        return tag;
    }

    /**
     * Decrypts {@code data[off, off+len)} in place if {@code tag} is right; leaves it untouched otherwise.
     *
     * @throws AEADBadTagException if the ciphertext, the tag or the sequence number is not the sender's
     */
    static void open(byte[] key, byte[] nonce, byte[] data, int off, int len, byte[] tag) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
        byte[] in = new byte[len + TAG_BYTES];
        System.arraycopy(data, off, in, 0, len);
        System.arraycopy(tag, 0, in, len, TAG_BYTES);
        byte[] plain = cipher.doFinal(in);
        System.arraycopy(plain, 0, data, off, len);
    }
}
