package dev.d2r2.sip.edge;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Socket addresses by packed IPv4 address and port ({@link dev.d2r2.sip.codec.Hop#packed}),
 * remembered in a small direct-mapped table: a receive loop sends to the same few peers again
 * and again, and this way makes no address object per message. One per loop.
 */
final class Addresses {
    private static final int SLOTS = 256;

    private final long[] keys = new long[SLOTS];
    private final InetSocketAddress[] values = new InetSocketAddress[SLOTS];

    InetSocketAddress of(long packed) {
        int slot = (int) ((packed * 0x9e3779b97f4a7c15L) >>> 56);
        InetSocketAddress known = values[slot];
        if (known != null && keys[slot] == packed) {
            return known;
        }
        InetSocketAddress fresh = make(packed);
        keys[slot] = packed;
        values[slot] = fresh;
        return fresh;
    }

    private static InetSocketAddress make(long packed) {
        long ip = packed >>> 16;
        byte[] octets = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(octets), (int) (packed & 0xffff));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four octets are always an address", e);
        }
    }
}
