package dev.d2r2.tunnel.node;

import dev.d2r2.core.Cidr;

import java.net.InetAddress;

/** IPv4 addresses as the data path holds them: 32-bit integers. */
final class Ipv4 {
    private Ipv4() {
    }

    static int of(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }

    static int network(Cidr c) {
        return of(c.address());
    }

    static boolean contains(Cidr c, int address) {
        int mask = c.prefix() == 0 ? 0 : -1 << 32 - c.prefix();
        return (address & mask) == network(c);
    }

    static String text(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff);
    }
}
