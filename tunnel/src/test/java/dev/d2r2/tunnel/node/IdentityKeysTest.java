package dev.d2r2.tunnel.node;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.events.TunnelStatus;
import dev.d2r2.tunnel.tun.Netns;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Tunnels keyed by d2r2 identities, on real nodes and loopback sockets: a DN serves each EN it lists
 * under that pair's own keys, and a frame sealed by another identity or for another tunnel is
 * dropped and counted, on the DN and on the EN.
 */
class IdentityKeysTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void aDnServesEachListedEnUnderItsOwnKeysAndDropsOtherIdentities() throws Exception {
        TunnelIdentity dn = identity("dn1");
        TunnelIdentity enA = identity("en-a");
        TunnelIdentity enB = identity("en-b");
        TunnelIdentity impostor = identity("impostor");
        Path config = Files.writeString(dir.resolve("dn.yaml"), """
                name: dn1
                identity: dn1.identity
                ens:
                  - {tunnel: 1, public-key: %s}
                  - {tunnel: 2, public-key: %s}
                listen: 127.0.0.1:0
                device: d2r2-tun-idk1
                pool: 10.77.1.0/24
                clients: 10.77.0.0/16
                status-every: 50ms
                bfd: {tx: 10s, rx: 10s, multiplier: 3}
                """.formatted(enA.publicHex(), enB.publicHex()));
        Netns ns = netns("d2r2-idk1");
        TunnelNode node = ns.call(() -> TunnelNode.startDn(config, Clock.system(), events::add));
        open.add(node);
        DatagramChannel client = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)));
        open.add(client);
        byte[] dnKey = dn.publicKey();

        client.send(hello(enA.pairKey(dnKey, 2, true, Direction.EN_TO_DN), 2), node.address());
        client.send(hello(impostor.pairKey(dnKey, 1, true, Direction.EN_TO_DN), 1), node.address());
        client.send(hello(enA.pairKey(dnKey, 3, true, Direction.EN_TO_DN), 3), node.address());
        await().atMost(WAIT).until(() -> lastStatus() != null && lastStatus().unauthenticated() == 2 && lastStatus().unknownTunnel() == 1);

        client.send(hello(enA.pairKey(dnKey, 1, true, Direction.EN_TO_DN), 1), node.address());
        ByteBuffer answer = receive(ns, client);
        PacketMac aChecks = new PacketMac(enA.pairKey(dnKey, 1, true, Direction.DN_TO_EN));
        PacketMac bChecks = new PacketMac(enB.pairKey(dnKey, 1, true, Direction.DN_TO_EN));
        assertThat(GreFrame.open(answer.duplicate(), id -> bChecks)).as("another EN's key").isEqualTo(Drop.UNAUTHENTICATED);
        assertThat(GreFrame.open(answer, id -> aChecks)).isNull();
        assertThat(Control.read(answer, GreFrame.HEADER_BYTES, GreFrame.payloadLength(answer)))
                .isEqualTo(new Control.Assign(0x0a4d0101, 24, "dn1"));

        client.send(hello(enB.pairKey(dnKey, 2, true, Direction.EN_TO_DN), 2), node.address());
        ByteBuffer second = receive(ns, client);
        assertThat(GreFrame.open(second, id -> new PacketMac(enB.pairKey(dnKey, 2, true, Direction.DN_TO_EN)))).isNull();
        assertThat(Control.read(second, GreFrame.HEADER_BYTES, GreFrame.payloadLength(second)))
                .isEqualTo(new Control.Assign(0x0a4d0102, 24, "dn1"));
        assertThat(lastStatus().unauthenticated()).isEqualTo(2);
    }

    @Test
    void anEnRefusesAnswersFromAnotherIdentityAtItsDnsAddress() throws Exception {
        TunnelIdentity en = identity("en1");
        TunnelIdentity dn1 = identity("dn1");
        TunnelIdentity dn2 = identity("dn2");
        TunnelIdentity impostor = identity("impostor");
        Netns ns = netns("d2r2-idk2");
        DatagramChannel dn1Socket = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)));
        open.add(dn1Socket);
        DatagramChannel dn2Socket = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)));
        open.add(dn2Socket);
        Path config = Files.writeString(dir.resolve("en.yaml"), """
                name: en1
                tunnel: 1
                identity: en1.identity
                device: d2r2-tun-idk2
                listen: 127.0.0.1:0
                dns:
                  - {name: dn1, address: "127.0.0.1:%d", public-key: %s}
                  - {name: dn2, address: "127.0.0.1:%d", public-key: %s}
                hello-every: 100ms
                status-every: 50ms
                bfd: {tx: 10s, rx: 10s, multiplier: 3}
                """.formatted(port(dn1Socket), dn1.publicHex(), port(dn2Socket), dn2.publicHex()));
        TunnelNode node = ns.call(() -> TunnelNode.startEn(config, Clock.system(), events::add));
        open.add(node);

        ByteBuffer hello = receive(ns, dn1Socket);
        PacketMac impostorChecks = new PacketMac(impostor.pairKey(en.publicKey(), 1, false, Direction.EN_TO_DN));
        assertThat(GreFrame.open(hello.duplicate(), id -> impostorChecks)).as("only dn1 can read the EN's hello")
                .isEqualTo(Drop.UNAUTHENTICATED);
        assertThat(GreFrame.open(hello, id -> new PacketMac(dn1.pairKey(en.publicKey(), 1, false, Direction.EN_TO_DN)))).isNull();

        dn1Socket.send(assign(impostor.pairKey(en.publicKey(), 1, false, Direction.DN_TO_EN), 0x0a4d0109), node.address());
        await().atMost(WAIT).until(() -> lastStatus() != null && lastStatus().unauthenticated() == 1);

        dn1Socket.send(assign(dn1.pairKey(en.publicKey(), 1, false, Direction.DN_TO_EN), 0x0a4d0101), node.address());
        ByteBuffer toDn2 = receive(ns, dn2Socket);
        assertThat(GreFrame.open(toDn2, id -> new PacketMac(dn2.pairKey(en.publicKey(), 1, false, Direction.EN_TO_DN)))).isNull();
        assertThat(Control.read(toDn2, GreFrame.HEADER_BYTES, GreFrame.payloadLength(toDn2)))
                .as("the EN greets its secondary only once dn1 assigned: the impostor's assign was not taken")
                .isInstanceOfSatisfying(Control.Hello.class, h -> assertThat(h.address()).isEqualTo(0x0a4d0101));
        assertThat(lastStatus().unauthenticated()).isEqualTo(1);
    }

    private TunnelStatus lastStatus() throws Exception {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).type().equals(TunnelEvents.STATUS.name())) {
                return TunnelStatus.from(events.get(i));
            }
        }
        return null;
    }

    private Netns netns(String name) throws Exception {
        Netns ns = Netns.create(name);
        open.add(ns);
        return ns;
    }

    /** A new identity file {@code name.identity} in the test's directory, and its tunnel key. */
    private TunnelIdentity identity(String name) throws Exception {
        KeyPair pair = Crypto.newSigningKeyPair();
        new IdentityFile(name, Crypto.randomBytes(32), pair.getPrivate(), pair.getPublic(), "", "").save(dir.resolve(name + ".identity"));
        return TunnelIdentity.of(IdentityFile.load(dir.resolve(name + ".identity")).signingKey());
    }

    private static ByteBuffer hello(byte[] key, int tunnel) {
        return frame(key, tunnel, new Control.Hello(true, 0));
    }

    private static ByteBuffer assign(byte[] key, int address) {
        return frame(key, 1, new Control.Assign(address, 24, "dn1"));
    }

    private static ByteBuffer frame(byte[] key, int tunnel, Control c) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        int n = Control.write(c, buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, tunnel, 0, n, new PacketMac(key));
        return buf;
    }

    private static ByteBuffer receive(Netns ns, DatagramChannel socket) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        assertTimeoutPreemptively(WAIT, () -> ns.call(() -> socket.receive(buf)), "nothing received");
        return buf.flip();
    }

    private static int port(DatagramChannel c) throws Exception {
        return ((InetSocketAddress) c.getLocalAddress()).getPort();
    }
}
