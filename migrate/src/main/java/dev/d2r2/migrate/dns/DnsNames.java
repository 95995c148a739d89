package dev.d2r2.migrate.dns;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Domain names as this package writes them: dotted, no trailing dot, printable ASCII labels of 1–63 bytes. */
final class DnsNames {
    static final int MAX_WIRE_LENGTH = 255;

    private DnsNames() {
    }

    /** Drops one trailing dot and checks the labels. */
    static String normalise(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        check(n);
        return n;
    }

    static void check(String name) {
        if (name.isEmpty()) {
            return;
        }
        int wire = 1;
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException("bad label in name '" + name + "': a label has 1 to 63 characters");
            }
            for (char c : label.toCharArray()) {
                if (!printable(c)) {
                    throw new IllegalArgumentException("name '" + name + "': unsupported character " + (int) c);
                }
            }
            wire += 1 + label.length();
        }
        if (wire > MAX_WIRE_LENGTH) {
            throw new IllegalArgumentException("name longer than 255 bytes on the wire: " + name);
        }
    }

    static boolean printable(int c) {
        return c > 0x20 && c < 0x7F && c != '.';
    }

    /** The name uncompressed on the wire, lower case as TSIG's digest wants it when {@code canonical}. */
    static byte[] wire(String name, boolean canonical) {
        String n = canonical ? name.toLowerCase(Locale.ROOT) : name;
        byte[] out = new byte[n.isEmpty() ? 1 : n.length() + 2];
        int p = 0;
        if (!n.isEmpty()) {
            for (String label : n.split("\\.")) {
                out[p++] = (byte) label.length();
                byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(b, 0, out, p, b.length);
                p += b.length;
            }
        }
        out[p] = 0;
        return out;
    }

    /** Whether {@code name} is {@code zone} or below it, ignoring case. */
    static boolean inZone(String name, String zone) {
        String n = name.toLowerCase(Locale.ROOT);
        String z = zone.toLowerCase(Locale.ROOT);
        return z.isEmpty() || n.equals(z) || n.endsWith("." + z);
    }
}
