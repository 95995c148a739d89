package dev.d2r2.tunnel.node;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class ProbePacketTest {
    @Test
    void aProbeIsAnIpv4PacketWithAValidHeaderChecksumThatReadsBack() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        int n = ProbePacket.write(buf, 4, 0x0a4dff01, 900, -2);
        assertThat(n).isEqualTo(ProbePacket.BYTES);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += buf.getShort(4 + i) & 0xffff;
        }
        assertThat((sum & 0xffff) + (sum >>> 16)).as("the header sums to 0xffff").isEqualTo(0xffff);
        assertThat(buf.getInt(4 + 12)).isEqualTo(buf.getInt(4 + 16)).isEqualTo(0x0a4dff01);
        assertThat(ProbePacket.read(buf, 4, n, 900)).isEqualTo(0xfffffffeL);
        assertThat(ProbePacket.read(buf, 4, n, 901)).as("another detector's").isEqualTo(-1);
        assertThat(ProbePacket.read(buf, 4, n - 1, 900)).isEqualTo(-1);
    }
}
