package dev.d2r2.tunnel.wire;

import dev.d2r2.tunnel.tun.Ipv4Udp;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class GreFrameTest {
    private static final TunnelKey KEY = new TunnelKey(new byte[32]);
    private static final int TUNNEL = 7;

    static ByteBuffer sealedIpv4(int tunnel, PacketMac mac) {
        byte[] ip = Ipv4Udp.build(Ipv4Udp.address(10, 77, 1, 2), Ipv4Udp.address(10, 99, 0, 2), 5000, 6000, new byte[]{1, 2, 3});
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        buf.put(GreFrame.HEADER_BYTES, ip);
        GreFrame.seal(buf, GreFrame.PROTO_IPV4, tunnel, 42, ip.length, mac);
        return buf;
    }

    @Test
    void theHeaderIsRfc2890GreWithKeyAndSequence() {
        ByteBuffer frame = sealedIpv4(TUNNEL, KEY.macFor(TUNNEL));
        assertThat(frame.getShort(0) & 0xffff).isEqualTo(0x3000);
        assertThat(GreFrame.protocol(frame)).isEqualTo(0x0800);
        assertThat(GreFrame.tunnelId(frame)).isEqualTo(TUNNEL);
        assertThat(GreFrame.sequence(frame)).isEqualTo(42);
        assertThat(GreFrame.payloadLength(frame)).isEqualTo(31);
        assertThat(frame.limit()).isEqualTo(31 + GreFrame.OVERHEAD);
        assertThat(GreFrame.open(frame, id -> KEY.macFor(id))).isNull();
    }

    @Test
    void aFrameSealedForOneTunnelDoesNotOpenAsAnother() {
        ByteBuffer frame = sealedIpv4(TUNNEL, KEY.macFor(TUNNEL));
        frame.putInt(4, TUNNEL + 1);
        assertThat(GreFrame.open(frame, id -> KEY.macFor(id))).isEqualTo(Drop.UNAUTHENTICATED);
    }

    @Test
    void anotherMasterKeyIsUnauthenticated() {
        ByteBuffer frame = sealedIpv4(TUNNEL, KEY.macFor(TUNNEL));
        byte[] other = new byte[32];
        other[0] = 1;
        assertThat(GreFrame.open(frame, id -> new TunnelKey(other).macFor(id))).isEqualTo(Drop.UNAUTHENTICATED);
    }

    @Test
    void anUnknownTunnelIsNamedAsSuch() {
        assertThat(GreFrame.open(sealedIpv4(TUNNEL, KEY.macFor(TUNNEL)), id -> null)).isEqualTo(Drop.UNKNOWN_TUNNEL);
    }

    @Test
    void anAuthenticatedFrameWhoseInnerPacketIsNotIpIsMalformed() {
        ByteBuffer buf = ByteBuffer.allocateDirect(256);
        buf.put(GreFrame.HEADER_BYTES, new byte[40]);
        GreFrame.seal(buf, GreFrame.PROTO_IPV4, TUNNEL, 1, 40, KEY.macFor(TUNNEL));
        assertThat(GreFrame.open(buf, id -> KEY.macFor(id))).isEqualTo(Drop.MALFORMED);
    }

    @Test
    void checksumOrRoutingBitsAreRefused() {
        ByteBuffer frame = sealedIpv4(TUNNEL, KEY.macFor(TUNNEL));
        frame.putShort(0, (short) 0xb000);
        assertThat(GreFrame.open(frame, id -> KEY.macFor(id))).isEqualTo(Drop.MALFORMED);
    }
}
