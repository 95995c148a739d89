package dev.d2r2.overlay.node;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.wire.PacketAuth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The overlay's two secrets on disk, both owner-only files: the network key (64 hex digits on one
 * line) and an identity that owns DHT keys ({@code private <base64 PKCS#8>} and
 * {@code public <64 hex digits>} lines). A bad file is an {@link IllegalArgumentException} naming
 * {@code file:line:col}.
 */
public final class KeyFiles {
    private KeyFiles() {
    }

    public static void writeNetworkKey(Path file) throws IOException {
        byte[] key = new byte[PacketAuth.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        writeSecret(file, HexFormat.of().formatHex(key) + "\n");
    }

    public static byte[] readNetworkKey(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        if (lines.size() != 1) {
            throw new IllegalArgumentException(file + ":1:1: a network key file has one line of "
                    + 2 * PacketAuth.KEY_BYTES + " hex digits (d2r2 overlay keygen writes one)");
        }
        return hex(file, 1, 1, lines.getFirst().strip(), PacketAuth.KEY_BYTES);
    }

    public static Identity createIdentity(Path file) throws IOException {
        Identity id = Identity.generate();
        writeSecret(file, "private " + Base64.getEncoder().encodeToString(id.privateKeyBytes()) + "\npublic "
                + HexFormat.of().formatHex(id.publicKey()) + "\n");
        return id;
    }

    public static Identity readIdentity(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        if (lines.size() != 2 || !lines.get(0).startsWith("private ") || !lines.get(1).startsWith("public ")) {
            throw new IllegalArgumentException(file + ":1:1: an identity file has a 'private <base64>' and a 'public <hex>' line");
        }
        byte[] pkcs8;
        try {
            pkcs8 = Base64.getDecoder().decode(lines.get(0).substring(8).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ":1:9: the private key is not base64: " + e.getMessage());
        }
        byte[] pub = hex(file, 2, 8, lines.get(1).substring(7).strip(), 32);
        try {
            return Identity.of(pkcs8, pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ":1:9: not an Ed25519 private key: " + e.getMessage());
        }
    }

    /** Decodes {@code bytes} bytes of hex digits, or says where the text is wrong. */
    public static byte[] hex(Object where, int line, int col, String text, int bytes) {
        if (text.length() != 2 * bytes) {
            throw new IllegalArgumentException(where + ":" + line + ":" + col + ": expected " + 2 * bytes + " hex digits, found "
                    + text.length() + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                throw new IllegalArgumentException(where + ":" + line + ":" + (col + i) + ": '" + text.charAt(i) + "' is not a hex digit");
            }
        }
        return HexFormat.of().parseHex(text);
    }

    private static void writeSecret(Path file, String text) throws IOException {
        if (Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists; not overwriting a key");
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }
}
