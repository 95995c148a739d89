package dev.d2r2.broker.security;

import java.security.PublicKey;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An identity the broker knows: its shared secret (authentication and HMAC), its Ed25519 public
 * key (signatures), and whether it administers the broker.
 */
public record Identity(String name, byte[] secret, PublicKey signingKey, boolean admin) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.@\\-]{0,127}");

    public Identity {
        Objects.requireNonNull(secret, "secret");
        validateName(name);
    }

    public static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("identity name \"" + name
                    + "\" must be 1-128 characters of letters, digits, '_', '.', '@', '-'");
        }
    }
}
