package dev.d2r2.tunnel.tun;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real TUN device in a test namespace: the kernel's packets come out of read, ours go in by write. */
class TunDeviceTest {
    private static final int LOCAL = Ipv4Udp.address(10, 250, 7, 1);
    private static final int PEER = Ipv4Udp.address(10, 250, 7, 2);

    @Test
    void aDatagramRoutedIntoTheDeviceIsReadAndAPacketWrittenIsDelivered() throws Exception {
        try (Netns ns = Netns.create("d2r2-tun-t1"); Arena arena = Arena.ofShared()) {
            TunDevice tun = ns.call(() -> TunDevice.open("d2r2-tun0"));
            try {
                ns.ip("link", "set", "d2r2-tun0", "up");
                ns.ip("addr", "add", "10.250.7.1/24", "dev", "d2r2-tun0");
                MemorySegment buf = arena.allocate(2048);
                DatagramChannel socket = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getByName("10.250.7.1"), 0)));
                try (socket) {
                    ns.call(() -> socket.send(ByteBuffer.wrap("out".getBytes(StandardCharsets.US_ASCII)),
                            new InetSocketAddress("10.250.7.2", 4000)));
                    int n = readUdp(tun, buf);
                    ByteBuffer packet = buf.asByteBuffer().limit(n);
                    assertThat(packet.getInt(12)).isEqualTo(LOCAL);
                    assertThat(packet.getInt(16)).isEqualTo(PEER);
                    assertThat(packet.getShort(22) & 0xffff).isEqualTo(4000);
                    assertThat(StandardCharsets.US_ASCII.decode(packet.position(28)).toString()).isEqualTo("out");

                    int port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
                    byte[] in = Ipv4Udp.build(PEER, LOCAL, 4000, port, "in".getBytes(StandardCharsets.US_ASCII));
                    MemorySegment.copy(MemorySegment.ofArray(in), 0, buf, 100, in.length);
                    assertThat(tun.write(buf, 100, in.length)).isTrue();
                    ByteBuffer got = ByteBuffer.allocate(100);
                    ns.call(() -> socket.receive(got));
                    assertThat(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII)).isEqualTo("in");
                }
            } finally {
                tun.close();
            }
        }
    }

    /** The first UDP packet read (the kernel may also send IPv6 router solicitations and the like). */
    private static int readUdp(TunDevice tun, MemorySegment buf) throws Exception {
        for (int i = 0; i < 50; i++) {
            int n = tun.read(buf, 0, 2048, 100);
            if (n > 0 && (buf.get(JAVA_BYTE, 0) & 0xf0) == 0x40 && buf.get(JAVA_BYTE, 9) == 17) {
                return n;
            }
        }
        throw new AssertionError("no UDP packet came out of the TUN device");
    }

    @Test
    void aNameTooLongIsRefusedBeforeAnySystemCall() {
        assertThatThrownBy(() -> TunDevice.open("d2r2-tun-name-too-long")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 15 characters");
    }
}
