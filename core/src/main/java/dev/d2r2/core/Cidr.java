package dev.d2r2.core;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * A block of addresses: an IP literal ({@code 192.0.2.7}, a /32 or /128) or a CIDR block
 * ({@code 198.51.100.0/24}, {@code 2001:db8::/48}). {@link #parse} is strict and makes no DNS
 * lookup: dotted-quad IPv4 or IPv6 text, no zone, no host bits set past the prefix (what the SIP
 * edge's API accepts); {@link SubjectPattern} builds its blocks with {@link #masked}.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** Parses {@code text}; the exception's message says what is wrong with it. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String literal = slash < 0 ? text : text.substring(0, slash);
        byte[] address = addressBytes(literal);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address or a CIDR block: \"" + text + "\" (e.g. 192.0.2.7 or 192.0.2.0/24)");
        }
        int bits = address.length * 8;
        int prefix = slash < 0 ? bits : prefix(text.substring(slash + 1), bits, text);
        for (int i = 0; i < bits; i++) {
            if (i >= prefix && bit(address, i)) {
                throw new IllegalArgumentException("\"" + text + "\" has bits set past its /" + prefix
                        + " (the block is " + masked(address, prefix) + ")");
            }
        }
        return new Cidr(address, prefix);
    }

    /** The address itself, as a one-address block. */
    public static Cidr of(InetAddress address) {
        byte[] b = address.getAddress();
        return new Cidr(b, b.length * 8);
    }

    private static int prefix(String digits, int bits, String text) {
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("\"" + text + "\": the prefix length after / must be a number");
        }
        int p = Integer.parseInt(digits);
        if (p > bits) {
            throw new IllegalArgumentException("\"" + text + "\": the prefix length must be 0 to " + bits);
        }
        return p;
    }

    /** The block of {@code prefix} bits of {@code address}, the bits past them cleared. */
    public static Cidr masked(byte[] address, int prefix) {
        if (address.length != 4 && address.length != 16 || prefix < 0 || prefix > address.length * 8) {
            throw new IllegalArgumentException("an address is 4 or 16 bytes and a prefix 0 to its bits");
        }
        byte[] m = address.clone();
        for (int i = prefix; i < m.length * 8; i++) {
            m[i / 8] &= (byte) ~(0x80 >>> (i % 8));
        }
        return new Cidr(m, prefix);
    }

    /** The bytes of an IPv4 dotted quad or IPv6 text (no zone, not IPv4-mapped), or null; never a DNS lookup. */
    public static byte[] addressBytes(String s) {
        boolean v6 = s.indexOf(':') >= 0;
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c == '.' || v6 && (c == ':' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F');
            if (!ok) {
                return null;
            }
        }
        if (!v6 && s.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        byte[] b;
        try {
            b = InetAddress.ofLiteral(s).getAddress();
        } catch (IllegalArgumentException e) {
            return null;
        }
        // An IPv4-mapped IPv6 text comes back as IPv4: its prefix would count the wrong bits.
        return v6 == (b.length == 16) ? b : null;
    }

    private static boolean bit(byte[] a, int i) {
        return (a[i / 8] & (0x80 >>> (i % 8))) != 0;
    }

    public int prefix() {
        return prefix;
    }

    public boolean isIpv4() {
        return network.length == 4;
    }

    /** One address (a /32 or /128). */
    public boolean isAddress() {
        return prefix == network.length * 8;
    }

    /** The block's first address (the address itself for one address). */
    public InetAddress address() {
        try {
            return InetAddress.getByAddress(network);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are an address", e);
        }
    }

    /** Whether {@code a} is inside the block. */
    public boolean contains(InetAddress a) {
        return contains(a.getAddress(), prefix);
    }

    /** Whether the address of these bytes (4 or 16) is inside the block. */
    public boolean contains(byte[] address) {
        return contains(address, prefix);
    }

    /** Whether the two blocks share an address: one of them holds the other. */
    public boolean overlaps(Cidr other) {
        return network.length == other.network.length && contains(other.network, Math.min(prefix, other.prefix));
    }

    private boolean contains(byte[] a, int bits) {
        if (a.length != network.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        return rest == 0 || ((a[full] ^ network[full]) & (0xff << (8 - rest)) & 0xff) == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    /** Canonical text: the address alone for one address, else {@code network/prefix}. */
    @Override
    public String toString() {
        String a = address().getHostAddress();
        return isAddress() ? a : a + "/" + prefix;
    }
}
