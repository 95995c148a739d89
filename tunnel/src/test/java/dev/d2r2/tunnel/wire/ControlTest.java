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
                new Control.Bfd(new BfdPacket(0, BfdState.UP, true, false, 3, 11, 22, 10_000, 10_000)));
        for (Control c : all) {
            ByteBuffer buf = ByteBuffer.allocate(128);
            int n = Control.write(c, buf, 5);
            assertThat(Control.read(buf, 5, n)).isEqualTo(c);
        }
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
}
