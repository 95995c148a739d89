package dev.d2r2.tunnel.node;

import java.nio.ByteBuffer;

/**
 * The DN failure detector's data-path probe: an IPv4/UDP packet from the detector's tunnel
 * address to itself. The watched DN decapsulates it into its TUN device; its kernel routes the
 * client network back into the same device; the DN encapsulates it back to the detector. So a
 * probe that returns has crossed the DN's UDP reader, TUN device, forwarding, TUN reader and UDP
 * sender: the whole data path. The UDP payload is a magic number, the detector's tunnel id and
 * the probe's number.
 */
final class ProbePacket {
    static final int BYTES = 20 + 8 + 12;
    private static final int MAGIC = 0xd2f0d2f0;
    static final int PORT = 3784;

    private ProbePacket() {
    }

    /** Writes the probe at {@code offset}; returns its length. */
    static int write(ByteBuffer buf, int offset, int address, int tunnel, int number) {
        buf.put(offset, (byte) 0x45).put(offset + 1, (byte) 0).putShort(offset + 2, (short) BYTES)
                .putInt(offset + 4, 0).put(offset + 8, (byte) 64).put(offset + 9, (byte) 17).putShort(offset + 10, (short) 0)
                .putInt(offset + 12, address).putInt(offset + 16, address);
        buf.putShort(offset + 10, (short) checksum(buf, offset));
        buf.putShort(offset + 20, (short) PORT).putShort(offset + 22, (short) PORT).putShort(offset + 24, (short) (BYTES - 20))
                .putShort(offset + 26, (short) 0);
        buf.putInt(offset + 28, MAGIC).putInt(offset + 32, tunnel).putInt(offset + 36, number);
        return BYTES;
    }

    /** The probe number of a returned probe of {@code tunnel}, or -1 when the packet is not one. */
    static long read(ByteBuffer buf, int offset, int length, int tunnel) {
        if (length != BYTES || (buf.get(offset) & 0xff) != 0x45 || buf.get(offset + 9) != 17
                || buf.getInt(offset + 28) != MAGIC || buf.getInt(offset + 32) != tunnel) {
            return -1;
        }
        return buf.getInt(offset + 36) & 0xffffffffL;
    }

    private static int checksum(ByteBuffer buf, int offset) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += buf.getShort(offset + i) & 0xffff;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return ~sum & 0xffff;
    }
}
