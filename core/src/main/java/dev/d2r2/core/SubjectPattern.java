package dev.d2r2.core;

import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * A subject or target as policies name it: an exact text ({@code sip:noc@example.com},
 * {@code 192.0.2.7}) or an address block in CIDR notation ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}) that matches every address inside it.
 */
public final class SubjectPattern {
    private static final Pattern ADDRESS = Pattern.compile("[0-9a-fA-F:.]+");
    private final String text;
    private final byte[] network;
    private final int prefix;

    private SubjectPattern(String text, byte[] network, int prefix) {
        this.text = text;
        this.network = network;
        this.prefix = prefix;
    }

    public static SubjectPattern parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || !ADDRESS.matcher(text.substring(0, slash)).matches()) {
            return new SubjectPattern(text, null, -1);
        }
        byte[] net = address(text.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (net == null || prefix < 0 || prefix > net.length * 8) {
            throw new IllegalArgumentException("not a CIDR block: " + text + " (e.g. 10.0.0.0/8)");
        }
        return new SubjectPattern(text, net, prefix);
    }

    /** True for a CIDR block; such a pattern names many subjects and no one in particular. */
    public boolean isBlock() {
        return network != null;
    }

    public boolean matches(String subject) {
        if (network == null) {
            return text.equals(subject);
        }
        if (!ADDRESS.matcher(subject).matches()) {
            return false;
        }
        byte[] a = address(subject);
        if (a == null || a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        return rest == 0 || ((a[full] ^ network[full]) & (0xff << (8 - rest)) & 0xff) == 0;
    }

    /** The address's bytes, without a DNS lookup (the text is checked to be a literal first). */
    private static byte[] address(String literal) {
        if (!literal.contains(":") && literal.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(literal).getAddress();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
