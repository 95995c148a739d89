package dev.d2r2.tunnel.tun;

import java.nio.ByteBuffer;

/** Builds and reads IPv4/UDP packets for tests (UDP checksum 0: optional over IPv4). */
public final class Ipv4Udp {
    private Ipv4Udp() {
    }

    public static byte[] build(int src, int dst, int srcPort, int dstPort, byte[] payload) {
        int total = 28 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(src).putInt(dst);
        b.putShort(10, checksum(b.array(), 0, 20));
        b.position(20);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0).put(payload);
        return b.array();
    }

    static short checksum(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = off; i < off + len; i += 2) {
            sum += (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (short) ~sum;
    }

    public static int address(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }
}
