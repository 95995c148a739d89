package dev.d2r2.bench;

import dev.d2r2.bft.Signatures;
import dev.d2r2.broker.security.Ed25519;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;

/**
 * The bft module's {@link Signatures} on the broker's Bouncy Castle Ed25519, to measure what a
 * faster signature costs the protocol (the signatures are the JDK's, byte for byte).
 */
final class BouncyCastleSignatures implements Signatures {
    private static final byte[] NO_PREFIX = new byte[0];
    private final Ed25519 ed25519 = new Ed25519();
    private final Ed25519PrivateKeyParameters own;
    private final List<Ed25519PublicKeyParameters> members;

    BouncyCastleSignatures(PrivateKey own, List<PublicKey> members) {
        this.own = Ed25519.privateKey(own);
        this.members = members.stream().map(Ed25519::publicKey).toList();
    }

    @Override
    public byte[] sign(byte[] message) {
        return ed25519.sign(own, NO_PREFIX, message, 0, message.length);
    }

    @Override
    public boolean verify(int signer, byte[] message, byte[] signature) {
        return signer >= 0 && signer < members.size()
                && ed25519.verify(members.get(signer), NO_PREFIX, message, 0, message.length, signature);
    }
}
