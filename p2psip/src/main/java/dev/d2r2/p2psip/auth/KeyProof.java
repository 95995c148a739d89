package dev.d2r2.p2psip.auth;

import dev.d2r2.overlay.kad.Identity;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A public key with its holder's signature over the request it travels in (nonce and kind), so
 * nobody gets a certificate for a key whose private half they do not hold.
 */
public record KeyProof(byte[] publicKey, byte[] proof) {
    private static final byte[] CONTEXT = "d2r2-p2psip-as-proof".getBytes(StandardCharsets.US_ASCII);

    public KeyProof {
        if (publicKey.length != Certificate.KEY_BYTES || proof.length != Certificate.SIGNATURE_BYTES) {
            throw new IllegalArgumentException("a key has " + Certificate.KEY_BYTES + " bytes and a proof " + Certificate.SIGNATURE_BYTES);
        }
        publicKey = publicKey.clone();
        proof = proof.clone();
    }

    public static KeyProof of(Identity key, long nonce, CertificateKind kind) {
        return new KeyProof(key.publicKey(), key.sign(signed(nonce, kind)));
    }

    boolean holds(long nonce, CertificateKind kind) {
        return Identity.verify(publicKey, signed(nonce, kind), proof);
    }

    private static byte[] signed(long nonce, CertificateKind kind) {
        return ByteBuffer.allocate(CONTEXT.length + 9).put(CONTEXT).putLong(nonce).put((byte) kind.ordinal()).array();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] proof() {
        return proof.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyProof k && Arrays.equals(k.publicKey, publicKey) && Arrays.equals(k.proof, proof);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }
}
