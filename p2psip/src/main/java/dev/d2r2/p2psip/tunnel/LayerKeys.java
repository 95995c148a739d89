package dev.d2r2.p2psip.tunnel;

import javax.crypto.KDF;
import javax.crypto.spec.HKDFParameterSpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The keys the origin of a tunnel shares with one hop ("end-to-middle" K_{f0,fi} of the seed),
 * expanded with HKDF-SHA256 from the X25519 secret of the origin's one-time key and the hop's key:
 * an AES-128 key and a nonce salt per direction (the four derived keys), and a one-time key that
 * seals the hop's setup record.
 */
public record LayerKeys(byte[] recordKey, byte[] forwardKey, byte[] forwardSalt, byte[] backwardKey, byte[] backwardSalt) {
    static final int KEY_BYTES = 16;
    private static final byte[] SALT = "d2r2 p2psip tunnel v1".getBytes(StandardCharsets.US_ASCII);
    private static final int OKM_BYTES = 3 * KEY_BYTES + 2 * Gcm.NONCE_BYTES;

    /** {@code context} binds the keys to this setup: the one-time public key and the hop's public key. */
    public static LayerKeys derive(byte[] sharedSecret, byte[] oneTimePublic, byte[] hopPublic) throws GeneralSecurityException {
        byte[] info = new byte[oneTimePublic.length + hopPublic.length];
        System.arraycopy(oneTimePublic, 0, info, 0, oneTimePublic.length);
        System.arraycopy(hopPublic, 0, info, oneTimePublic.length, hopPublic.length);
        byte[] okm = KDF.getInstance("HKDF-SHA256").deriveData(
                HKDFParameterSpec.ofExtract().addIKM(sharedSecret).addSalt(SALT).thenExpand(info, OKM_BYTES));
        int at = 0;
        byte[] record = Arrays.copyOfRange(okm, at, at += KEY_BYTES);
        byte[] forward = Arrays.copyOfRange(okm, at, at += KEY_BYTES);
        byte[] forwardSalt = Arrays.copyOfRange(okm, at, at += Gcm.NONCE_BYTES);
        byte[] backward = Arrays.copyOfRange(okm, at, at += KEY_BYTES);
        byte[] backwardSalt = Arrays.copyOfRange(okm, at, at + Gcm.NONCE_BYTES);
        return new LayerKeys(record, forward, forwardSalt, backward, backwardSalt);
    }
}
