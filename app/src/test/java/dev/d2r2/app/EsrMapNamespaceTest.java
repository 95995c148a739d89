package dev.d2r2.app;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import dev.d2r2.tunnel.events.DnMapReported;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.node.EsrTopology;
import dev.d2r2.tunnel.node.FailoverTopology;
import dev.d2r2.tunnel.node.NodeProcess;
import dev.d2r2.tunnel.probe.EchoServer;
import dev.d2r2.tunnel.probe.SeqProbe;
import dev.d2r2.tunnel.tun.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ESR's EN-to-DN map on the broker: an EN, two DNs, an ESR and a service in namespaces (the
 * topology of docs/tunnels.md, "ESR"), with a real broker whose TLS listener is in the ESR's
 * namespace. The DNs ({@code d2r2 tunnel dn --channel tunnel}) publish their {@code tunnel.dn.map}
 * events under their own identities and send the ESR no reports; the ESR ({@code d2r2 tunnel esr
 * --map-from tunnel}) routes by those events alone. The service streams datagrams to the EN's
 * address. The route follows the EN from dn1 to dn2 when dn1 is killed, and back when dn1 returns;
 * a map event forged under another identity is counted and changes nothing; the ESR killed and
 * restarted rebuilds the route by replaying the channel's log, and the stream flows again.
 */
class EsrMapNamespaceTest {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration STEP = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final List<NodeProcess> processes = new ArrayList<>();
    private EsrTopology t;

    @BeforeEach
    void topology() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false) && Files.isExecutable(Path.of("/usr/sbin/ip")),
                "needs root and iproute2 for network namespaces");
        t = EsrTopology.mapped(dir, FailoverTopology.TOLERANT_BFD);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (NodeProcess p : processes) {
            p.close();
        }
        if (t != null) {
            t.close();
        }
    }

    @Test
    void theEsrMapFollowsAFailoverThroughTheBrokerAndIsReplayedAfterARestart() throws Exception {
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system());
             BrokerServer server = t.esr.call(() -> BrokerServer.start(broker, new InetSocketAddress("0.0.0.0", 0)));
             EchoServer echo = t.en.call(() -> EchoServer.start(new InetSocketAddress("0.0.0.0", 7000)))) {
            int port = server.address().getPort();
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            admin.createChannel(new ChannelSpec("tunnel", ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER),
                    Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            List<Delivery> published = new CopyOnWriteArrayList<>();
            NodeProcess dn1Process = null;
            NodeProcess esrProcess = null;
            try (Subscription log = admin.subscribe("tunnel", StartPosition.live(), published::add)) {
                dn1Process = dn(broker, t.dn1, 1, port);
                dn(broker, t.dn2, 2, port);
                esrProcess = esr(broker, port);
                NodeProcess enProcess = start(t.en, "en", "tunnel", "en", "--config", dir.resolve("en.yaml").toString());

                await().atMost(START).until(() -> enProcess.printed(enDn("dn1", "connected")));
                String address = attr(enProcess.lines.stream().filter(enDn("dn1", "connected")).findFirst().orElseThrow(), "address");
                NodeProcess firstEsr = esrProcess;
                await().atMost(STEP).until(() -> firstEsr.printed(route(address, "dn1")));
                assertThat(t.esrRoutes()).isEqualTo(address + " via 10.3.1.2 dev emap-r1");
                assertThat(published).as("dn1's attach, published under dn1's identity")
                        .anyMatch(d -> d.publisher().equals("dn1") && isMap(d, DnMapReported.ATTACH, address));

                try (SeqProbe probe = t.svc.call(() -> SeqProbe.start(new InetSocketAddress(address, 7000), 200, 120_000));
                     Publisher forger = broker.connectLocal("mallory").publisher("tunnel")) {
                    await().atMost(STEP).until(() -> probe.received() > 20);

                    forger.publish(new DnMapReported(System.currentTimeMillis(), "dn2", Long.MAX_VALUE, DnMapReported.ATTACH, "moved",
                            address, List.of(address)).toEvent());
                    await().atMost(STEP).until(() -> firstEsr.printed(l -> l.contains("\"type\":\"tunnel.esr.status\"")
                            && counter(l, "mapUnauthenticated") == 1));
                    assertThat(t.esrRoutes()).as("a map event for dn2 not published by dn2").isEqualTo(address + " via 10.3.1.2 dev emap-r1");

                    dn1Process.kill9();
                    await().atMost(STEP).until(() -> enProcess.printed(enDn("dn2", "failover")));
                    await().atMost(STEP).until(() -> firstEsr.printed(route(address, "dn2")));
                    flows(probe);
                    assertThat(t.esrRoutes()).isEqualTo(address + " via 10.3.2.2 dev emap-r2");
                    assertThat(published).as("dn2's attach").anyMatch(d -> d.publisher().equals("dn2") && isMap(d, DnMapReported.ATTACH, address));

                    dn1Process = dn(broker, t.dn1, 1, port);
                    await().atMost(START).until(() -> enProcess.printed(enDn("dn1", "failback")));
                    await().atMost(STEP).until(() -> firstEsr.count(route(address, "dn1")) == 2);
                    flows(probe);
                    assertThat(t.esrRoutes()).isEqualTo(address + " via 10.3.1.2 dev emap-r1");
                    assertThat(published).as("dn2's release after the failback")
                            .anyMatch(d -> d.publisher().equals("dn2") && isMap(d, DnMapReported.RELEASE, address));

                    esrProcess.kill9();
                    esrProcess = esr(broker, port);
                    NodeProcess secondEsr = esrProcess;
                    await().atMost(START).until(() -> secondEsr.printed(l -> l.contains("\"type\":\"tunnel.esr.status\"")
                            && counter(l, "mapReports") > 0 && counter(l, "mapUnauthenticated") == 1));
                    assertThat(t.esrRoutes()).as("rebuilt from the channel's log alone: no DN sends the ESR anything")
                            .isEqualTo(address + " via 10.3.1.2 dev emap-r1");
                    flows(probe);
                    assertThat(firstEsr.printed(route(address, "none"))).as("the route never went away while the EN was there").isFalse();
                    assertThat(firstEsr.printed(l -> l.contains("\"type\":\"tunnel.esr.route\"") && !l.contains("\"reason\":\"map\"")))
                            .as("every move came from a map event").isFalse();
                }
            } catch (Throwable failure) {
                dump();
                throw failure;
            }
        }
    }

    private NodeProcess dn(Broker broker, Netns ns, int i, int port) throws Exception {
        return start(ns, "dn" + i, "tunnel", "dn", "--config", dir.resolve("dn" + i + ".yaml").toString(), "--channel", "tunnel",
                "--identity", identity(broker, "dn" + i, port).toString(), "--broker", "10.3." + i + ".1:" + port);
    }

    private NodeProcess esr(Broker broker, int port) throws Exception {
        return start(t.esr, "esr", "tunnel", "esr", "--config", dir.resolve("esr.yaml").toString(), "--map-from", "tunnel",
                "--identity", identity(broker, "esr1", port).toString(), "--broker", "127.0.0.1:" + port);
    }

    /**
     * A broker identity's file for a node, with the broker's certificate to pin; beside, not over, the identity file the
     * topology wrote for the node's tunnel keys (which the broker does not know).
     */
    private Path identity(Broker broker, String name, int port) throws IOException {
        Path file = dir.resolve(name + "-broker.identity");
        if (!Files.exists(file)) {
            String certificate = IdentityFile.load(broker.adminIdentityPath()).brokerCertificatePem();
            broker.localIdentity(name, false).withBroker("127.0.0.1:" + port, certificate).save(file);
        }
        return file;
    }

    private NodeProcess start(Netns ns, String name, String... args) throws IOException {
        NodeProcess p = NodeProcess.run(ns.name(), dir.resolve(name + "-" + processes.size() + ".log"), Main.class.getName(), args);
        processes.add(p);
        return p;
    }

    private void dump() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                System.err.println("---- " + f.getFileName() + "\n" + Files.readString(f));
            }
        }
        for (NodeProcess p : processes) {
            System.err.println("---- stdout");
            p.lines.forEach(System.err::println);
        }
    }

    private static boolean isMap(Delivery d, String change, String address) {
        try {
            if (!TunnelEvents.DN_MAP.matches(d.event().type())) {
                return false;
            }
            DnMapReported m = DnMapReported.from(d.event());
            return m.dn().equals(d.publisher()) && m.change().equals(change) && m.address().equals(address);
        } catch (Exception e) {
            return false;
        }
    }

    /** Datagrams sent from now on come back: the stream flows again. */
    private static void flows(SeqProbe probe) {
        long mark = probe.sent();
        await().atMost(STEP).until(() -> probe.highestEchoed() > mark + 25);
    }

    private static long counter(String line, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String attr(String line, String name) {
        int at = line.indexOf("\"" + name + "\":\"") + name.length() + 4;
        return line.substring(at, line.indexOf('"', at));
    }

    private static Predicate<String> enDn(String to, String reason) {
        return l -> l.contains("\"type\":\"tunnel.en.dn\"") && l.contains("\"to\":\"" + to + "\"") && l.contains("\"reason\":\"" + reason + "\"");
    }

    private static Predicate<String> route(String address, String to) {
        return l -> l.contains("\"type\":\"tunnel.esr.route\"") && l.contains("\"to\":\"" + to + "\"") && l.contains("\"address\":\"" + address + "\"");
    }
}
