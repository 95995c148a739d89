package dev.d2r2.cosip;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.cosip.events.ModeChange.Mode;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.node.OverlayNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two CoSIP proxies (alice's and bob's), each with its own DHT node, joined through a third; the
 * SIP provider's address is given. Closes everything it started.
 */
final class Rig implements AutoCloseable {
    static final String DOMAIN = "example.org";
    static final String ALICE = "sip:alice@example.org";
    static final String BOB = "sip:bob@example.org";
    private static final byte[] NETWORK_KEY = new byte[32];

    final Identity aliceId = Identity.generate();
    final Identity bobId = Identity.generate();
    final Roster roster = Roster.of(Map.of(ALICE, aliceId.publicKey(), BOB, bobId.publicKey()));
    final List<Event> aliceEvents = new CopyOnWriteArrayList<>();
    final List<Event> bobEvents = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    final OverlayNode aliceNode;
    final OverlayNode bobNode;
    final CosipProxy alice;
    final CosipProxy bob;
    /** Null: the proxies authenticate with the roster; else with the credentials of the provider with this key. */
    private final byte[] providerKey;
    private final OverlayNode seed;
    private final InetSocketAddress server;
    private final double rate;
    private final int burst;

    Rig(InetSocketAddress server, double p2pCallsPerMinute, int burst) throws IOException {
        this(server, server, p2pCallsPerMinute, burst, null);
    }

    Rig(InetSocketAddress aliceServer, InetSocketAddress bobServer, double p2pCallsPerMinute, int burst) throws IOException {
        this(aliceServer, bobServer, p2pCallsPerMinute, burst, null);
    }

    /** Proxies that know no roster, only the provider's key. */
    static Rig withProvider(InetSocketAddress server, byte[] providerKey) throws IOException {
        return new Rig(server, server, 6, 3, providerKey);
    }

    /** Proxies that know no roster, only the provider's key, allowing this many calls in P2P mode. */
    static Rig withProvider(InetSocketAddress server, byte[] providerKey, double p2pCallsPerMinute, int burst) throws IOException {
        return new Rig(server, server, p2pCallsPerMinute, burst, providerKey);
    }

    private Rig(InetSocketAddress aliceServer, InetSocketAddress bobServer, double p2pCallsPerMinute, int burst, byte[] providerKey)
            throws IOException {
        this.providerKey = providerKey;
        this.server = aliceServer;
        this.rate = p2pCallsPerMinute;
        this.burst = burst;
        seed = node(List.of());
        aliceNode = node(List.of(seed.address()));
        bobNode = node(List.of(seed.address()));
        alice = proxy(aliceServer, aliceId, aliceNode, aliceEvents, p2pCallsPerMinute, burst);
        bob = proxy(bobServer, bobId, bobNode, bobEvents, p2pCallsPerMinute, burst);
    }

    private OverlayNode node(List<InetSocketAddress> seeds) throws IOException {
        OverlayNode n = OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress("127.0.0.1", 0), seeds, NETWORK_KEY,
                KadConfig.defaults(), Duration.ofSeconds(30)), Clock.system());
        open.add(n);
        return n;
    }

    private CosipProxy proxy(InetSocketAddress server, Identity id, OverlayNode node, List<Event> events, double rate, int burst)
            throws IOException {
        CosipSettings s = CosipSettings.defaults(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), server, DOMAIN)
                .withP2pRate(rate, burst);
        CosipProxy p = providerKey == null ? CosipProxy.start(s, id, roster, node, events::add, Clock.system())
                : CosipProxy.start(s.withProvider(providerKey).withRevocationsEvery(Duration.ofSeconds(1)), id, Roster.of(Map.of()), node, events::add, Clock.system());
        open.addFirst(p);
        return p;
    }

    /** Another overlay node, joined through the rig's seed. */
    OverlayNode join() throws IOException {
        return node(List.of(seed.address()));
    }

    /** A third user's proxy beside alice's and bob's: alice's provider, its own DHT node. */
    CosipProxy another(Identity id, List<Event> events) throws IOException {
        return proxy(server, id, join(), events, rate, burst);
    }

    static CosipStatus status(CosipProxy p) throws Exception {
        return p.status().get(5, TimeUnit.SECONDS);
    }

    static void awaitMode(CosipProxy p, Mode mode) {
        await().atMost(Duration.ofSeconds(15)).until(() -> status(p).mode() == mode);
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Process start(Path dir, String name, List<String> cmd) throws IOException {
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    static final Path SIPP = Path.of("/usr/bin/sipp");

    /** SIPp's uac (sipp/uac-alice.xml) placing {@code calls} calls to bob as alice through {@code via}, each held {@code pauseMs}. */
    static Process sippUac(Path dir, String name, CosipProxy via, int calls, int pauseMs) throws IOException {
        return start(dir, name, List.of(SIPP.toString(), "-sf", resource(dir, "/sipp/uac-alice.xml").toString(),
                "127.0.0.1:" + via.address().getPort(), "-s", "bob", "-i", "127.0.0.1", "-p", Integer.toString(freeUdpPort()),
                "-m", Integer.toString(calls), "-r", "10", "-d", Integer.toString(pauseMs), "-timeout", "30s", "-timeout_error",
                "-nostdin"));
    }

    /** Waits for a SIPp run to end and asserts it succeeded, showing its output if not. */
    static void succeeds(Path dir, Process sipp, String name) throws Exception {
        assertThat(sipp.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sipp.exitValue()).as(Files.readString(dir.resolve(name + ".out"))).isZero();
    }

    static Path resource(Path dir, String name) throws IOException {
        Path p = dir.resolve(Path.of(name).getFileName());
        try (InputStream in = Rig.class.getResourceAsStream(name)) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }
}
