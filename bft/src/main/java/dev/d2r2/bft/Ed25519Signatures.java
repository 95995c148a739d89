package dev.d2r2.bft;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.List;

/** {@link Signatures} with the JDK's Ed25519 (64-byte signatures). */
public final class Ed25519Signatures implements Signatures {
    public static final int SIGNATURE_BYTES = 64;
    private final PrivateKey own;
    private final List<PublicKey> members;
    private final Signature engine;

    /** @param members every replica's public key, indexed by replica id */
    public Ed25519Signatures(PrivateKey own, List<PublicKey> members) {
        this.own = own;
        this.members = List.copyOf(members);
        try {
            this.engine = Signature.getInstance("Ed25519");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK provides Ed25519 since Java 15", e);
        }
    }

    @Override
    public byte[] sign(byte[] message) {
        try {
            engine.initSign(own);
            engine.update(message);
            return engine.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with our own Ed25519 key failed", e);
        }
    }

    @Override
    public boolean verify(int signer, byte[] message, byte[] signature) {
        if (signer < 0 || signer >= members.size() || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            engine.initVerify(members.get(signer));
            engine.update(message);
            return engine.verify(signature);
        } catch (InvalidKeyException | SignatureException e) {
            return false;
        }
    }
}
