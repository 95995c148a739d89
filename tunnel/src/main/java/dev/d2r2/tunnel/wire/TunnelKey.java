package dev.d2r2.tunnel.wire;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The tunnel service's master key (a file of 64 hex digits, owner-only) and the per-tunnel keys
 * derived from it: tunnel {@code id}'s key is HMAC-SHA256(master, "d2r2-tunnel-v1" ‖ id), so a DN
 * holding the master can check any EN's packets without a key exchange, and a packet sealed for
 * one tunnel id does not verify under another.
 */
public final class TunnelKey {
    private static final byte[] LABEL = "d2r2-tunnel-v1".getBytes(StandardCharsets.US_ASCII);
    private final byte[] master;

    public TunnelKey(byte[] master) {
        if (master.length != PacketMac.KEY_BYTES) {
            throw new IllegalArgumentException("a tunnel master key has " + PacketMac.KEY_BYTES + " bytes, not " + master.length);
        }
        this.master = master.clone();
    }

    /** A new {@link PacketMac} for tunnel {@code id} (each thread takes its own). */
    public PacketMac macFor(int id) {
        return new PacketMac(keyFor(id));
    }

    /** Tunnel {@code id}'s key. */
    public byte[] keyFor(int id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(master, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(new byte[]{(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    public static void generate(Path file) throws IOException {
        if (Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists; not overwriting a key");
        }
        byte[] key = new byte[PacketMac.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, HexFormat.of().formatHex(key) + "\n", StandardCharsets.US_ASCII);
    }

    /** Reads a key file; a bad one is an {@link IllegalArgumentException} naming {@code file:line:col}. */
    public static TunnelKey read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        if (lines.size() != 1) {
            throw new IllegalArgumentException(file + ":1:1: a tunnel key file has one line of " + 2 * PacketMac.KEY_BYTES
                    + " hex digits (d2r2 tunnel keygen writes one)");
        }
        String text = lines.getFirst().strip();
        if (text.length() != 2 * PacketMac.KEY_BYTES) {
            throw new IllegalArgumentException(file + ":1:1: expected " + 2 * PacketMac.KEY_BYTES + " hex digits, found "
                    + text.length() + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                throw new IllegalArgumentException(file + ":1:" + (i + 1) + ": '" + text.charAt(i) + "' is not a hex digit");
            }
        }
        return new TunnelKey(HexFormat.of().parseHex(text));
    }
}
