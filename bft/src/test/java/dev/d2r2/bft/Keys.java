package dev.d2r2.bft;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/** Ed25519 key pairs for a test committee. */
final class Keys {
    private final List<KeyPair> pairs = new ArrayList<>();

    Keys(int n) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            for (int i = 0; i < n; i++) {
                pairs.add(generator.generateKeyPair());
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Ed25519Signatures signatures(int replica) {
        List<PublicKey> members = pairs.stream().map(KeyPair::getPublic).toList();
        return new Ed25519Signatures(pairs.get(replica).getPrivate(), members);
    }
}
