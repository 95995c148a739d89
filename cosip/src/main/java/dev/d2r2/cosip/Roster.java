package dev.d2r2.cosip;

import dev.d2r2.overlay.node.KeyFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who may speak for an address of record: the provider's list of its users' CoSIP public keys
 * (Ed25519, the proxies' d2r2 identities). A contact in the DHT is stored under the key its
 * AOR's owner derives ({@code SHA-256(public key ‖ AOR)}), and a call set up through the DHT is
 * accepted only when signed by the key the roster names for the caller's (or, for the answer,
 * the callee's) AOR.
 *
 * <p>File format: one {@code sip:user@domain <64 hex digits>} per line; blank lines and {@code #}
 * comments are skipped. A bad line is an {@link IllegalArgumentException} naming {@code file:line:col}.
 */
public final class Roster {
    private final Map<String, byte[]> keys;

    private Roster(Map<String, byte[]> keys) {
        this.keys = keys;
    }

    public static Roster of(Map<String, byte[]> keys) {
        Map<String, byte[]> copy = new HashMap<>();
        keys.forEach((aor, key) -> copy.put(aor.toLowerCase(Locale.ROOT), key.clone()));
        return new Roster(copy);
    }

    public static Roster read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, byte[]> keys = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            int col = lines.get(i).indexOf(line.charAt(0)) + 1;
            if (parts.length != 2 || !parts[0].startsWith("sip:") || parts[0].indexOf('@') < 5) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ":" + col
                        + ": expected 'sip:user@domain <public key, 64 hex digits>'");
            }
            byte[] key = KeyFiles.hex(file, i + 1, lines.get(i).indexOf(parts[1]) + 1, parts[1], 32);
            if (keys.put(parts[0].toLowerCase(Locale.ROOT), key) != null) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ":" + col + ": " + parts[0] + " is listed twice");
            }
        }
        return new Roster(keys);
    }

    /** The public key that speaks for {@code aor}, or null. */
    public byte[] keyOf(String aor) {
        return aor == null ? null : keys.get(aor.toLowerCase(Locale.ROOT));
    }
}
