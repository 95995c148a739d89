package dev.d2r2.p2psip.tunnel;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A forwarding peer as a tunnel needs it: its X25519 public key (32 raw bytes) and where it listens.
 * Where the pool of hops comes from (the forwarding overlay) is not this package's concern.
 */
public record Hop(byte[] publicKey, InetSocketAddress address) {
    public Hop {
        if (publicKey.length != X25519.KEY_BYTES) {
            throw new IllegalArgumentException("a hop's public key is " + X25519.KEY_BYTES + " bytes, not " + publicKey.length);
        }
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public boolean sameKey(byte[] other) {
        return Arrays.equals(publicKey, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hop h && Arrays.equals(publicKey, h.publicKey) && address.equals(h.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(publicKey) + address.hashCode();
    }

    /** {@code HEXKEY@HOST:PORT}, the form {@link #parse} reads (a hop's line in a shared pool file). */
    public String text() {
        return HexFormat.of().formatHex(publicKey) + "@" + address.getHostString() + ":" + address.getPort();
    }

    /** @throws IllegalArgumentException unless {@code text} is {@code HEXKEY@HOST:PORT} with a 32-byte key and a numeric port */
    public static Hop parse(String text) {
        int at = text.indexOf('@');
        int colon = text.lastIndexOf(':');
        if (at != 2 * X25519.KEY_BYTES || colon <= at + 1) {
            throw new IllegalArgumentException("a hop is HEXKEY@HOST:PORT with a " + X25519.KEY_BYTES + "-byte key, not " + text);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a hop's port is a number, not " + text.substring(colon + 1));
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("a hop's port is 1–65535, not " + port);
        }
        return new Hop(HexFormat.of().parseHex(text, 0, at), new InetSocketAddress(text.substring(at + 1, colon), port));
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(publicKey, 0, 4) + "@" + address.getHostString() + ":" + address.getPort();
    }
}
