package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.tun.Netns;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;
import dev.d2r2.broker.security.IdentityFile;
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
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A running DN fenced by its failure detector's tunnel: it answers no hello while fenced, a fence
 * from a tunnel not listed among its fencers is ignored, a fence on the fencer's tunnel sealed by
 * another identity than the fencer's is refused and counted, and lifting the fence serves again.
 * The test speaks as an EN (tunnels 5 to 8, one identity) and as the DN failure detector (tunnel 900).
 */
class DnFenceTest {
    private static final int FENCER = 900;

    @Test
    void aFencedDnAnswersNothingUntilTheFenceIsLifted(@TempDir Path dir) throws Exception {
        String en = DualHomedTopology.identity(dir, "en1");
        String fd = DualHomedTopology.identity(dir, "fd1");
        String dnPublic = DualHomedTopology.identity(dir, "dn1");
        Path config = Files.writeString(dir.resolve("dn.yaml"), """
                name: dn1
                identity: dn1.identity
                ens: [{tunnel: 5, public-key: %1$s}, {tunnel: 6, public-key: %1$s}, {tunnel: 7, public-key: %1$s}, {tunnel: 8, public-key: %1$s}]
                listen: 127.0.0.1:0
                device: tunfd-fence
                pool: 10.77.1.0/24
                clients: 10.77.0.0/16
                fencers: [{tunnel: 900, public-key: %2$s}]
                status-every: 50ms
                bfd: {tx: 10s, rx: 10s, multiplier: 3}
                """.formatted(en, fd));
        TunnelIdentity asEn = identity(dir, "en1");
        TunnelIdentity asFd = identity(dir, "fd1");
        byte[] dn = TunnelIdentity.parsePublic(dnPublic);
        List<Event> events = new CopyOnWriteArrayList<>();
        try (Netns ns = Netns.create("tunfd-fence")) {
            TunnelNode node = ns.call(() -> TunnelNode.startDn(config, Clock.system(), events::add));
            try (node; DatagramChannel client = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))) {
                InetSocketAddress target = node.address();
                client.send(frame(asEn, dn, 5, 0, new Control.Fence(true)), target);
                client.send(frame(asEn, dn, FENCER, 0, new Control.Fence(true)), target);
                client.send(frame(asEn, dn, 6, 0, new Control.Hello(true, 0)), target);
                assertThat(answerTunnel(ns, client, asEn, dn)).as("neither a fence from a tunnel that is no fencer nor one sealed by"
                        + " another identity than the fencer's changes anything").isEqualTo(6);
                await().atMost(Duration.ofSeconds(30)).until(() -> DnBadInputTest.lastStatus(events) != null && DnBadInputTest.lastStatus(events).unauthenticated() >= 1);

                client.send(frame(asFd, dn, FENCER, 1, new Control.Fence(true)), target);
                client.send(frame(asEn, dn, 7, 0, new Control.Hello(true, 0)), target);
                client.send(frame(asFd, dn, FENCER, 2, new Control.Fence(false)), target);
                client.send(frame(asEn, dn, 8, 0, new Control.Hello(true, 0)), target);
                assertThat(answerTunnel(ns, client, asEn, dn)).as("the hello sent while fenced is never answered").isEqualTo(8);
                assertThat(events.stream().filter(e -> e.type().equals(TunnelEvents.DN_CARRIER.name()))).isEmpty();
            }
        }
    }

    private static TunnelIdentity identity(Path dir, String name) throws Exception {
        return TunnelIdentity.of(IdentityFile.load(dir.resolve(name + ".identity")).signingKey());
    }

    private static int answerTunnel(Netns ns, DatagramChannel client, TunnelIdentity en, byte[] dn) throws Exception {
        ByteBuffer answer = ByteBuffer.allocate(256);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> ns.call(() -> client.receive(answer)), "no answer from the DN");
        answer.flip();
        assertThat(GreFrame.open(answer, id -> new PacketMac(en.pairKey(dn, id, true, Direction.DN_TO_EN)))).isNull();
        assertThat(Control.read(answer, GreFrame.HEADER_BYTES, GreFrame.payloadLength(answer))).isInstanceOf(Control.Assign.class);
        return GreFrame.tunnelId(answer);
    }

    /** A control frame on {@code tunnel} sealed as the EN (or DN-FD) of identity {@code sender} seals for the DN {@code dn}. */
    private static ByteBuffer frame(TunnelIdentity sender, byte[] dn, int tunnel, int seq, Control c) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        int n = Control.write(c, buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, tunnel, seq, n, new PacketMac(sender.pairKey(dn, tunnel, true, Direction.EN_TO_DN)));
        return buf;
    }
}
