package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.events.TunnelStatus;
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
import static org.awaitility.Awaitility.await;

/**
 * A running DN on its real port: junk, forged, cut and replayed datagrams are dropped and counted,
 * and it still answers a good hello.
 */
class DnBadInputTest {
    @Test
    void badDatagramsAreCountedAndTheDnStillServes(@TempDir Path dir) throws Exception {
        TunnelKey.generate(dir.resolve("tunnel.key"));
        Path config = Files.writeString(dir.resolve("dn.yaml"), """
                name: dn1
                key: tunnel.key
                listen: 127.0.0.1:0
                device: d2r2-tun-bad
                pool: 10.77.1.0/24
                clients: 10.77.0.0/16
                status-every: 50ms
                bfd: {tx: 10s, rx: 10s, multiplier: 3}
                """);
        List<Event> events = new CopyOnWriteArrayList<>();
        try (Netns ns = Netns.create("d2r2-tun-bad")) {
            TunnelNode dn = ns.call(() -> TunnelNode.startDn(config, Clock.system(), events::add));
            try (dn; DatagramChannel client = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))) {
                InetSocketAddress target = dn.address();
                TunnelKey key = TunnelKey.read(dir.resolve("tunnel.key"));
                send(client, target, ByteBuffer.wrap(new byte[]{1, 2, 3}));
                send(client, target, ByteBuffer.wrap(new byte[200]));
                ByteBuffer forged = frame(new TunnelKey(new byte[32]), 5, new Control.Hello(true, 0));
                send(client, target, forged);
                ByteBuffer cut = frame(key, 5, new Control.Hello(true, 0));
                send(client, target, cut.limit(cut.limit() - 3));
                ByteBuffer badType = ByteBuffer.allocate(64);
                badType.put(GreFrame.HEADER_BYTES, (byte) 99);
                GreFrame.seal(badType, GreFrame.PROTO_CONTROL, 6, 0, 1, key.macFor(6));
                send(client, target, badType);

                await().atMost(Duration.ofSeconds(10)).until(() -> lastStatus(events) != null
                        && lastStatus(events).malformed() == 3 && lastStatus(events).unauthenticated() == 2);

                ByteBuffer hello = frame(key, 5, 0, new Control.Hello(true, 0));
                send(client, target, hello.duplicate());
                assertThat(answer(ns, client, key)).isEqualTo(new Control.Assign(0x0a4d0101, 24, "dn1"));

                send(client, target, hello.duplicate());
                send(client, target, frame(key, 5, 1, new Control.Hello(true, 0x0a4d0101)));
                assertThat(answer(ns, client, key)).as("the replayed hello is not answered, the next one is")
                        .isEqualTo(new Control.Assign(0x0a4d0101, 24, "dn1"));
                await().atMost(Duration.ofSeconds(10)).until(() -> lastStatus(events).replayed() == 1);
                assertThat(lastStatus(events).received()).isEqualTo(2);
            }
        }
    }

    /** The last {@code tunnel.status} event among {@code events}, or null. */
    static TunnelStatus lastStatus(List<Event> events) throws Exception {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).type().equals(TunnelEvents.STATUS.name())) {
                return TunnelStatus.from(events.get(i));
            }
        }
        return null;
    }

    private static Control answer(Netns ns, DatagramChannel client, TunnelKey key) throws Exception {
        ByteBuffer answer = ByteBuffer.allocate(256);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> ns.call(() -> client.receive(answer)), "no answer from the DN");
        answer.flip();
        assertThat(GreFrame.open(answer, key::macFor)).isNull();
        return Control.read(answer, GreFrame.HEADER_BYTES, GreFrame.payloadLength(answer));
    }

    private static ByteBuffer frame(TunnelKey key, int tunnel, Control c) {
        return frame(key, tunnel, 0, c);
    }

    private static ByteBuffer frame(TunnelKey key, int tunnel, int seq, Control c) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        int n = Control.write(c, buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, tunnel, seq, n, key.macFor(tunnel));
        return buf;
    }

    private static void send(DatagramChannel client, InetSocketAddress target, ByteBuffer datagram) throws Exception {
        client.send(datagram, target);
    }
}
