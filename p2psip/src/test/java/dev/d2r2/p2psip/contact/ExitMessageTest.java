package dev.d2r2.p2psip.contact;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.p2psip.tunnel.Hop;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExitMessageTest {
    private final SignedValue value = SignedValue.sign(Identity.generate(), "n".getBytes(), 3, new byte[] {1, 2, 3});
    private final EntryPoint entry = new EntryPoint(new Hop(new byte[32], new InetSocketAddress("127.0.0.1", 9)), 42);

    @Test
    void everyMessageRoundTrips() {
        for (ExitMessage m : List.of(new ExitMessage.Store(1, value), new ExitMessage.Find(2, NodeId.random(new Random(1))),
                new ExitMessage.Stored(3, 5), new ExitMessage.Found(4, value), new ExitMessage.Found(5, null))) {
            byte[] bytes = ExitMessage.encode(m);
            assertThat(ExitMessage.encode(ExitMessage.decode(bytes))).isEqualTo(bytes);
        }
        ExitMessage.Enter enter = (ExitMessage.Enter) ExitMessage.decode(ExitMessage.encode(new ExitMessage.Enter(entry, new byte[] {7, 8})));
        assertThat(enter.entry()).isEqualTo(entry);
        assertThat(enter.data()).containsExactly(7, 8);
    }

    @Test
    void cutJunkOrTrailingBytesAreRefusedAsIllegalArgumentsAndTheExitCountsThem() {
        byte[] store = ExitMessage.encode(new ExitMessage.Store(1, value));
        for (byte[] bad : List.of(new byte[0], new byte[] {99}, Arrays.copyOf(store, store.length - 1), Arrays.copyOf(store, store.length + 1))) {
            assertThatThrownBy(() -> ExitMessage.decode(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        TunnelExit exit = new TunnelExit(null);
        exit.onData(new byte[] {99}, reply -> { });
        exit.onData(ExitMessage.encode(new ExitMessage.Stored(1, 1)), reply -> { });
        assertThat(exit.refused()).isEqualTo(2);
    }
}
