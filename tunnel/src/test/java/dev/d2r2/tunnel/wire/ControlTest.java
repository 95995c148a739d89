package dev.d2r2.tunnel.wire;

import dev.d2r2.tunnel.bfd.BfdPacket;
import dev.d2r2.tunnel.bfd.BfdState;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlTest {
    @Test
    void everyMessageRoundTrips() {
        List<Control> all = List.of(new Control.Hello(true, 0), new Control.Hello(true, 0, "dn2"), new Control.Hello(false, 0x0a4d0102),
                new Control.Assign(0x0a4d0102, 24, "dn1"), new Control.Refuse("pool full"), new Control.Release(0x0a4d0102), new Control.Fence(true), new Control.Fence(false),
                new Control.Carry(0x0a4d0102), new Control.Carriers("dn2", List.of()), new Control.Carriers("dn2", List.of(0x0a4d0102, 0x0a4d0103)),
                new Control.Bfd(new BfdPacket(0, BfdState.UP, true, false, 3, 11, 22, 10_000, 10_000)),
                new Control.PathProbe(1, 7), new Control.PathEcho(63, Integer.MAX_VALUE));
        for (Control c : all) {
            ByteBuffer buf = ByteBuffer.allocate(128);
            int n = Control.write(c, buf, 5);
            assertThat(Control.read(buf, 5, n)).isEqualTo(c);
        }
    }

    @Test
    void aFullReportFitsOneFrameAndALongerOneIsRefused() {
        List<Integer> full = java.util.stream.IntStream.range(0, Control.MAX_CARRIED).boxed().toList();
        Control.Carriers report = new Control.Carriers("d".repeat(Control.MAX_NAME_BYTES), full);
        ByteBuffer buf = ByteBuffer.allocate(2048);
        int n = Control.write(report, buf, GreFrame.HEADER_BYTES);
        assertThat(GreFrame.OVERHEAD + n).isLessThanOrEqualTo(1500 - 28);
        assertThat(Control.read(buf, GreFrame.HEADER_BYTES, n)).isEqualTo(report);

        buf.putShort(GreFrame.HEADER_BYTES + 1, (short) (Control.MAX_CARRIED + 1));
        assertThatThrownBy(() -> Control.read(buf, GreFrame.HEADER_BYTES, n)).hasMessageContaining("carriers");
        buf.putShort(GreFrame.HEADER_BYTES + 1, (short) 3);
        assertThatThrownBy(() -> Control.read(buf, GreFrame.HEADER_BYTES, n)).hasMessageContaining("bytes");
        List<Integer> tooMany = java.util.stream.IntStream.range(0, Control.MAX_CARRIED + 1).boxed().toList();
        assertThatThrownBy(() -> new Control.Carriers("dn1", tooMany)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBfdPacketIsTheRfc5880Layout() {
        ByteBuffer buf = ByteBuffer.allocate(24);
        new BfdPacket(1, BfdState.INIT, false, true, 5, 0x01020304, 0x05060708, 20_000, 30_000).write(buf, 0);
        assertThat(buf.get(0)).isEqualTo((byte) 0x21);
        assertThat(buf.get(1)).isEqualTo((byte) 0x90);
        assertThat(buf.get(2)).isEqualTo((byte) 5);
        assertThat(buf.get(3)).isEqualTo((byte) 24);
        assertThat(buf.getInt(12)).isEqualTo(20_000);
        assertThat(buf.getInt(16)).isEqualTo(30_000);
    }

    @Test
    void anUpPacketWithoutAPeerDiscriminatorIsRefused() {
        ByteBuffer buf = ByteBuffer.allocate(24);
        new BfdPacket(0, BfdState.UP, false, false, 3, 9, 0, 1000, 1000).write(buf, 0);
        assertThatThrownBy(() -> BfdPacket.read(buf, 0, 24)).hasMessageContaining("peer discriminator zero");
    }

    @Test
    void aPathProbeOfTheWrongLengthIsRefused() {
        ByteBuffer buf = ByteBuffer.allocate(16);
        int n = Control.write(new Control.PathProbe(1, 7), buf, 0);
        assertThatThrownBy(() -> Control.read(buf, 0, n - 1)).hasMessageContaining("path probe: 6 bytes, not 7");
        assertThatThrownBy(() -> Control.read(buf.put(0, (byte) 10), 0, n + 1)).hasMessageContaining("path echo: 8 bytes, not 7");
    }
}
