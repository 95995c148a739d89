package dev.d2r2.tunnel.node;

import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.tunnel.probe.EchoServer;
import dev.d2r2.tunnel.probe.SeqProbe;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Return traffic through an edge service router: a service behind the ESR streams sequence-numbered
 * datagrams to the EN's address, and the EN echoes them. The ESR's route for that address points
 * at the DN carrying the EN; when the primary DN is killed (-9) the EN fails over and the route
 * moves to the secondary, when the primary returns it moves back, the same when the primary is
 * frozen (SIGSTOP) and resumed, a restarted ESR rebuilds it from
 * the DNs' reports, and when the EN goes its route goes. Each step is proved by echoes of datagrams sent after it and by the ESR's kernel routes.
 */
class EsrNamespaceTest {
    private static final Duration STEP = Duration.ofSeconds(30);

    @Test
    void returnTrafficFollowsTheEnToItsSecondaryDnAndBack(@TempDir Path dir) throws Exception {
        try (EsrTopology t = EsrTopology.create(dir, FailoverTopology.TOLERANT_BFD);
             NodeProcess dn2 = t.start(t.dn2, "dn", "dn2.yaml");
             NodeProcess esr = t.start(t.esr, "esr", "esr.yaml");
             EchoServer echo = t.en.call(() -> EchoServer.start(new InetSocketAddress("0.0.0.0", 7000)))) {
            NodeProcess dn1 = t.start(t.dn1, "dn", "dn1.yaml");
            NodeProcess en = t.start(t.en, "en", "en.yaml");
            NodeProcess restarted = null;
            NodeProcess esrAgain = null;
            try {
                await().atMost(FailoverTopology.START).until(() -> en.printed(enDn("dn1", "connected")) && en.printed(sessionUp("dn2")));
                String address = attr(en, enDn("dn1", "connected"), "address");
                await().atMost(STEP).until(() -> esr.printed(route(address, "dn1")));
                assertThat(t.esrRoutes()).isEqualTo(address + " via 10.3.1.2 dev esr-r1");

                SeqProbe probe = t.svc.call(() -> SeqProbe.start(new InetSocketAddress(address, 7000), 200, 60_000));
                try (probe) {
                    await().atMost(STEP).until(() -> probe.received() > 20);

                    t.svc.call(() -> sendJunkToTheEsr(t.dir, address));
                    await().atMost(STEP).until(() -> esr.printed(l -> l.contains("\"type\":\"tunnel.esr.status\"")
                            && counter(l, "malformed") == 1 && counter(l, "unauthenticated") == 1));
                    assertThat(t.esrRoutes()).as("dn1's identity cannot report for dn2").isEqualTo(address + " via 10.3.1.2 dev esr-r1");

                    dn1.kill9();
                    await().atMost(STEP).until(() -> en.printed(enDn("dn2", "failover")));
                    flows(probe);
                    assertThat(esr.printed(route(address, "dn2"))).isTrue();
                    assertThat(t.esrRoutes()).isEqualTo(address + " via 10.3.2.2 dev esr-r2");

                    restarted = t.start(t.dn1, "dn", "dn1.yaml");
                    await().atMost(FailoverTopology.START).until(() -> en.printed(enDn("dn1", "failback")));
                    flows(probe);
                    assertThat(esr.count(route(address, "dn1"))).isEqualTo(2);
                    assertThat(t.esrRoutes()).isEqualTo(address + " via 10.3.1.2 dev esr-r1");

                    NodeProcess frozen = restarted;
                    frozen.signal("STOP");
                    await().atMost(STEP).until(() -> en.count(enDn("dn2", "failover")) == 2);
                    flows(probe);
                    assertThat(t.esrRoutes()).as("a frozen DN's claim is older than the DN the EN moved to")
                            .isEqualTo(address + " via 10.3.2.2 dev esr-r2");
                    frozen.signal("CONT");
                    await().atMost(STEP).until(() -> en.count(enDn("dn1", "failback")) == 2);
                    flows(probe);
                    assertThat(t.esrRoutes()).isEqualTo(address + " via 10.3.1.2 dev esr-r1");
                    assertThat(probe.gaps(probe.highestEchoed())).as("loss only around the four moves").hasSizeLessThanOrEqualTo(8);

                    esr.kill9();
                    NodeProcess second = t.start(t.esr, "esr", "esr.yaml");
                    esrAgain = second;
                    await().atMost(FailoverTopology.START).until(() -> second.printed(route(address, "dn1")));
                    flows(probe);
                    assertThat(t.esrRoutes()).as("rebuilt from the DNs' reports").isEqualTo(address + " via 10.3.1.2 dev esr-r1");
                }

                assertThat(esr.printed(route(address, "none"))).as("the route never went away while the EN was there").isFalse();
                en.kill9();
                NodeProcess router = esrAgain;
                await().atMost(STEP).until(() -> router.printed(route(address, "none")));
                assertThat(t.esrRoutes()).as("the route of an EN that left").isEmpty();
            } catch (Throwable failure) {
                t.dump(System.err);
                for (NodeProcess p : Stream.of(en, dn1, dn2, esr, restarted, esrAgain).filter(Objects::nonNull).toList()) {
                    p.lines.forEach(System.err::println);
                }
                throw failure;
            } finally {
                en.close();
                dn1.close();
                if (restarted != null) {
                    restarted.close();
                }
                if (esrAgain != null) {
                    esrAgain.close();
                }
            }
        }
    }

    /**
     * Junk, and a report in dn2's name claiming {@code address} sealed by dn1's identity, to the ESR's report port: counted
     * (malformed, unauthenticated), not fatal, and not taken.
     */
    private static Void sendJunkToTheEsr(Path dir, String address) throws Exception {
        try (DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET)) {
            InetSocketAddress esr = new InetSocketAddress("10.3.9.1", Integer.parseInt(EsrTopology.ESR_PORT));
            c.send(ByteBuffer.wrap(new byte[]{1, 2, 3}), esr);
            TunnelIdentity dn1 = TunnelIdentity.of(IdentityFile.load(dir.resolve("dn1.identity")).signingKey());
            byte[] esrKey = TunnelIdentity.parsePublic(TunnelNode.publicKey(dir.resolve("esr1.identity")));
            ByteBuffer forged = ByteBuffer.allocate(256);
            int n = Control.write(new Control.Carriers("dn2", List.of(Ipv4.of(InetAddress.getByName(address)))), forged, GreFrame.HEADER_BYTES);
            GreFrame.seal(forged, GreFrame.PROTO_CONTROL, 901, Integer.MAX_VALUE, n,
                    new PacketMac(dn1.pairKey(esrKey, 901, true, TunnelIdentity.Direction.EN_TO_DN)));
            c.send(forged, esr);
        }
        return null;
    }

    /** Datagrams sent from now on come back: the stream flows again. */
    static void flows(SeqProbe probe) {
        long mark = probe.sent();
        await().atMost(STEP).until(() -> probe.highestEchoed() > mark + 25);
    }

    private static long counter(String line, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static String attr(NodeProcess p, Predicate<String> line, String name) {
        String l = p.lines.stream().filter(line).findFirst().orElseThrow();
        int at = l.indexOf("\"" + name + "\":\"") + name.length() + 4;
        return l.substring(at, l.indexOf('"', at));
    }

    static Predicate<String> enDn(String to, String reason) {
        return l -> l.contains("\"type\":\"tunnel.en.dn\"") && l.contains("\"to\":\"" + to + "\"") && l.contains("\"reason\":\"" + reason + "\"");
    }

    static Predicate<String> sessionUp(String dn) {
        return l -> l.contains("\"type\":\"tunnel.en.session\"") && l.contains("\"to\":\"up\"") && l.contains("\"dn\":\"" + dn + "\"");
    }

    static Predicate<String> route(String address, String to) {
        return l -> l.contains("\"type\":\"tunnel.esr.route\"") && l.contains("\"to\":\"" + to + "\"") && l.contains("\"address\":\"" + address + "\"");
    }
}
