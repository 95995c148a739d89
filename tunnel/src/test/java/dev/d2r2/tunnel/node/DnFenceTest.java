package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.tun.Netns;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.TunnelKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A running DN fenced by its failure detector's tunnel: it answers no hello while fenced, a fence
 * from a tunnel not listed among its fencers is ignored, and lifting the fence serves again.
 */
class DnFenceTest {
    private static final int FENCER = 900;

    @Test
    void aFencedDnAnswersNothingUntilTheFenceIsLifted(@TempDir Path dir) throws Exception {
        TunnelKey.generate(dir.resolve("tunnel.key"));
        Path config = Files.writeString(dir.resolve("dn.yaml"), """
                name: dn1
                key: tunnel.key
                listen: 127.0.0.1:0
                device: tunfd-fence
                pool: 10.77.1.0/24
                clients: 10.77.0.0/16
                fencers: [900]
                bfd: {tx: 10s, rx: 10s, multiplier: 3}
                """);
        List<Event> events = new CopyOnWriteArrayList<>();
        try (Netns ns = Netns.create("tunfd-fence")) {
            TunnelNode dn = ns.call(() -> TunnelNode.startDn(config, Clock.system(), events::add));
            try (dn; DatagramChannel client = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))) {
                TunnelKey key = TunnelKey.read(dir.resolve("tunnel.key"));
                InetSocketAddress target = dn.address();
                client.send(frame(key, 5, 0, new Control.Fence(true)), target);
                client.send(frame(key, 6, 0, new Control.Hello(true, 0)), target);
                assertThat(answerTunnel(ns, client, key)).as("a fence from a tunnel that is no fencer changes nothing").isEqualTo(6);

                client.send(frame(key, FENCER, 0, new Control.Fence(true)), target);
                client.send(frame(key, 7, 0, new Control.Hello(true, 0)), target);
                client.send(frame(key, FENCER, 1, new Control.Fence(false)), target);
                client.send(frame(key, 8, 0, new Control.Hello(true, 0)), target);
                assertThat(answerTunnel(ns, client, key)).as("the hello sent while fenced is never answered").isEqualTo(8);
                assertThat(events.stream().filter(e -> e.type().equals(TunnelEvents.DN_CARRIER.name()))).isEmpty();
            }
        }
    }

    private static int answerTunnel(Netns ns, DatagramChannel client, TunnelKey key) throws Exception {
        ByteBuffer answer = ByteBuffer.allocate(256);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> ns.call(() -> client.receive(answer)), "no answer from the DN");
        answer.flip();
        assertThat(GreFrame.open(answer, key::macFor)).isNull();
        assertThat(Control.read(answer, GreFrame.HEADER_BYTES, GreFrame.payloadLength(answer))).isInstanceOf(Control.Assign.class);
        return GreFrame.tunnelId(answer);
    }

    private static ByteBuffer frame(TunnelKey key, int tunnel, int seq, Control c) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        int n = Control.write(c, buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, tunnel, seq, n, key.macFor(tunnel));
        return buf;
    }
}
