package dev.d2r2.core;

import java.util.regex.Pattern;

/**
 * A subject or target as policies name it: an exact text ({@code sip:noc@example.com},
 * {@code 192.0.2.7}) or an address block in CIDR notation ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}) that matches every address inside it (a {@link Cidr}; bits set past the
 * prefix are ignored).
 */
public final class SubjectPattern {
    private static final Pattern ADDRESS = Pattern.compile("[0-9a-fA-F:.]+");
    private final String text;
    private final Cidr block;

    private SubjectPattern(String text, Cidr block) {
        this.text = text;
        this.block = block;
    }

    public static SubjectPattern parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || !ADDRESS.matcher(text.substring(0, slash)).matches()) {
            return new SubjectPattern(text, null);
        }
        byte[] net = Cidr.addressBytes(text.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (net == null || prefix < 0 || prefix > net.length * 8) {
            throw new IllegalArgumentException("not a CIDR block: " + text + " (e.g. 10.0.0.0/8)");
        }
        return new SubjectPattern(text, Cidr.masked(net, prefix));
    }

    /** True for a CIDR block; such a pattern names many subjects and no one in particular. */
    public boolean isBlock() {
        return block != null;
    }

    public boolean matches(String subject) {
        if (block == null) {
            return text.equals(subject);
        }
        byte[] a = Cidr.addressBytes(subject);
        return a != null && block.contains(a);
    }

    @Override
    public String toString() {
        return text;
    }
}
