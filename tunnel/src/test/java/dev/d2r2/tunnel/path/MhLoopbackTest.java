package dev.d2r2.tunnel.path;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.tunnel.events.PathEvents;
import dev.d2r2.tunnel.events.PathScored;
import dev.d2r2.tunnel.events.PathSwitched;
import dev.d2r2.tunnel.events.TunnelStatus;
import dev.d2r2.tunnel.probe.EchoServer;
import dev.d2r2.tunnel.probe.SeqProbe;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.tunnel.node.DualHomedTopology;
import dev.d2r2.tunnel.node.TunnelNode;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;
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

/**
 * Two real endpoints on loopback, two paths each (127.0.0.1 and 127.0.0.2), a sequence-numbered
 * UDP stream through them to an echo server: the stream flows, junk on a path's port is counted
 * and dropped, a peer distrusted by policy is refused (no path left) and taken back when restored.
 */
class MhLoopbackTest {
    private static final Duration STEP = Duration.ofSeconds(20);

    @Test
    void aStreamFlowsJunkAndAStrangersFramesAreCountedAndADistrustedPeerIsRefused(@TempDir Path dir) throws Exception {
        int[] ports = freePorts(5);
        int[] a = {ports[0], ports[1], ports[2]};
        int[] b = {ports[3], ports[4]};
        try (EchoServer echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0))) {
            Path aConfig = write(dir, "a.yaml", "a", "b", a[0], b[0], a[1], b[1], "{listen: 127.0.0.1:" + a[2] + "}");
            Path bConfig = write(dir, "b.yaml", "b", "a", b[0], a[0], b[1], a[1],
                    "{listen: 127.0.0.1:0, to: 127.0.0.1:" + echo.address().getPort() + "}");
            List<Event> aEvents = new CopyOnWriteArrayList<>();
            try (MhNode nodeB = MhNode.start(bConfig, Clock.system(), e -> { });
                 MhNode nodeA = MhNode.start(aConfig, Clock.system(), aEvents::add)) {
                await().atMost(STEP).until(() -> switched(aEvents, "p1", "up"));
                try (SeqProbe probe = SeqProbe.start(new InetSocketAddress("127.0.0.1", a[2]), 200, 100_000)) {
                    await().atMost(STEP).until(() -> probe.received() > 50);

                    try (DatagramChannel junk = DatagramChannel.open()) {
                        junk.send(ByteBuffer.wrap(new byte[]{1, 2, 3}), new InetSocketAddress("127.0.0.1", a[0]));
                        junk.send(ByteBuffer.allocate(64), new InetSocketAddress("127.0.0.1", a[0]));
                    }
                    await().atMost(STEP).until(() -> aEvents.stream().anyMatch(e -> e.type().equals("tunnel.status")
                            && status(e).malformed() >= 2));

                    TunnelIdentity stranger = TunnelIdentity.of(Crypto.newSigningKeyPair().getPrivate());
                    byte[] aPublic = TunnelIdentity.parsePublic(TunnelNode.publicKey(dir.resolve("a.identity")));
                    ByteBuffer probe1 = ByteBuffer.allocate(64);
                    PathFrame.sealProbe(probe1, PathFrame.PROBE, 0, 1, 7, 1,
                            new PacketMac(stranger.pairKey(aPublic, 7, true, Direction.EN_TO_DN)));
                    try (DatagramChannel forger = DatagramChannel.open()) {
                        forger.send(probe1, new InetSocketAddress("127.0.0.1", a[0]));
                    }
                    await("a probe sealed by another identity than b's is refused and counted").atMost(STEP)
                            .until(() -> aEvents.stream().anyMatch(e -> e.type().equals("tunnel.status") && status(e).unauthenticated() >= 1));

                    nodeA.trust(new TrustInput("b", TrustInput.Change.DISTRUST));
                    await().atMost(STEP).until(() -> switched(aEvents, "none", "refused"));
                    long mark = probe.highestEchoed();
                    nodeA.trust(new TrustInput("b", TrustInput.Change.RESTORE));
                    await().atMost(STEP).until(() -> aEvents.stream().filter(e -> isSwitch(e, "p1", "up")).count() == 2);
                    await().atMost(STEP).until(() -> probe.highestEchoed() > mark + 50);
                }
            }
        }
    }

    @Test
    void concurrentModeSpreadsTheStreamOverBothPaths(@TempDir Path dir) throws Exception {
        int[] ports = freePorts(5);
        int[] a = {ports[0], ports[1], ports[2]};
        int[] b = {ports[3], ports[4]};
        try (EchoServer echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0))) {
            Path aConfig = write(dir, "a.yaml", "a", "b", a[0], b[0], a[1], b[1], "{listen: 127.0.0.1:" + a[2] + "}\nmode: concurrent");
            Path bConfig = write(dir, "b.yaml", "b", "a", b[0], a[0], b[1], a[1],
                    "{listen: 127.0.0.1:0, to: 127.0.0.1:" + echo.address().getPort() + "}\nmode: concurrent");
            List<Event> aEvents = new CopyOnWriteArrayList<>();
            try (MhNode nodeB = MhNode.start(bConfig, Clock.system(), e -> { });
                 MhNode nodeA = MhNode.start(aConfig, Clock.system(), aEvents::add);
                 SeqProbe probe = SeqProbe.start(new InetSocketAddress("127.0.0.1", a[2]), 200, 100_000)) {
                await().atMost(STEP).until(() -> sentOn(aEvents, "p1") > 20 && sentOn(aEvents, "p2") > 5);
                await().atMost(STEP).until(() -> probe.received() > 50);
            }
        }
    }

    /** Data frames sent on a path, by its latest tunnel.path.scored event. */
    private static long sentOn(List<Event> events, String path) {
        return events.stream().filter(e -> PathEvents.SCORED.matches(e.type()) && path.equals(e.attrs().get(PathScored.PATH)))
                .mapToLong(e -> ((Number) e.attrs().get(PathScored.SENT)).longValue()).max().orElse(0);
    }

    private static TunnelStatus status(Event e) {
        try {
            return TunnelStatus.from(e);
        } catch (Exception x) {
            throw new AssertionError(x);
        }
    }

    private static boolean switched(List<Event> events, String to, String reason) {
        return events.stream().anyMatch(e -> isSwitch(e, to, reason));
    }

    private static boolean isSwitch(Event e, String to, String reason) {
        return PathEvents.SWITCHED.matches(e.type()) && to.equals(e.to()) && reason.equals(e.attrs().get(PathSwitched.REASON));
    }

    private static Path write(Path dir, String file, String name, String peer, int p1Local, int p1Remote, int p2Local, int p2Remote,
                              String app) throws Exception {
        Path f = dir.resolve(file);
        Files.writeString(f, """
                name: %s
                peer: %s
                tunnel: 7
                identity: %s.identity
                peer-public-key: %s
                paths:
                  - {name: p1, local: 127.0.0.1:%d, remote: 127.0.0.1:%d}
                  - {name: p2, local: 127.0.0.2:%d, remote: 127.0.0.2:%d, penalty: 20}
                app: %s
                probe: {every: 10ms, down-after: 500ms}
                score-every: 100ms
                """.formatted(name, peer, name, identity(dir, peer), p1Local, p1Remote, p2Local, p2Remote, app));
        return f;
    }

    /** The tunnel public key of {@code dir/name.identity}, written first if it is not there yet. */
    static String identity(Path dir, String name) throws Exception {
        Path file = dir.resolve(name + ".identity");
        return Files.exists(file) ? TunnelNode.publicKey(file) : DualHomedTopology.identity(dir, name);
    }

    private static int[] freePorts(int n) throws Exception {
        int[] ports = new int[n];
        DatagramChannel[] held = new DatagramChannel[n];
        for (int i = 0; i < n; i++) {
            held[i] = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            ports[i] = ((InetSocketAddress) held[i].getLocalAddress()).getPort();
        }
        for (DatagramChannel c : held) {
            c.close();
        }
        return ports;
    }
}
