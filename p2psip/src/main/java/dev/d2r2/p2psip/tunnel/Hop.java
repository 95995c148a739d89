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

    @Override
    public String toString() {
        return HexFormat.of().formatHex(publicKey, 0, 4) + "@" + address.getHostString() + ":" + address.getPort();
    }
}
