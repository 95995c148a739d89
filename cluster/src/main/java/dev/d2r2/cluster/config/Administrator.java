package dev.d2r2.cluster.config;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.core.config.InvalidAt;

import java.security.PublicKey;
import java.util.Base64;

/**
 * An administrator of a Byzantine cluster ({@code d2r2 broker --bft}): its signature with the
 * private key paired with {@code publicKey} authorises control commands, checked by every replica.
 */
public record Administrator(String name, String publicKey) {

    public Administrator {
        try {
            Identity.validateName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "name");
        }
        if (publicKey == null) {
            throw new InvalidAt("administrator " + name + " needs a publicKey (base64 X.509 Ed25519)", "publicKey");
        }
        try {
            Crypto.publicKey(Base64.getDecoder().decode(publicKey));
        } catch (IllegalArgumentException e) {
            throw new InvalidAt("administrator " + name + ": publicKey is not a base64 Ed25519 public key", "publicKey");
        }
    }

    public PublicKey signingKey() {
        return Crypto.publicKey(Base64.getDecoder().decode(publicKey));
    }
}
