package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.probe.EchoServer;
import dev.d2r2.tunnel.probe.SeqProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real TUN devices, veth links and UDP traffic: a client in the EN's namespace streams
 * sequence-numbered datagrams to an echo server behind two DNs. Killing the primary DN (-9) or
 * freezing it (SIGSTOP) moves the stream to the secondary; bringing it back moves it home. Each
 * step is proved by echoes of datagrams sent after it, never by how long it took.
 */
class FailoverNamespaceTest {
    static final Duration STEP = Duration.ofSeconds(20);

    @Test
    void theStreamSurvivesAPrimaryKilledOrFrozenAndReturnsToIt(@TempDir Path dir) throws Exception {
        try (FailoverTopology t = FailoverTopology.create(dir, FailoverTopology.TOLERANT_BFD);
             NodeProcess dn2 = t.start(t.dn2, "dn", "dn2.yaml")) {
            NodeProcess dn1 = t.start(t.dn1, "dn", "dn1.yaml");
            NodeProcess en = t.start(t.en, "en", "en.yaml");
            NodeProcess restarted = null;
            try (EchoServer echo = t.srv.call(() -> EchoServer.start(new InetSocketAddress(FailoverTopology.SERVER, 7000)))) {
                await().atMost(FailoverTopology.START).until(() -> en.printed(enDn("dn1", "connected")) && en.printed(sessionUp("dn2")));
                SeqProbe probe = t.en.call(() -> SeqProbe.start(new InetSocketAddress(FailoverTopology.SERVER, 7000), 500, 60_000));
                try (probe) {
                    await().atMost(STEP).until(() -> probe.received() > 50);
                    assertThat(dn1.printed(carrier("carrying"))).isTrue();

                    dn1.kill9();
                    await().atMost(STEP).until(() -> en.printed(enDn("dn2", "failover")));
                    flows(probe);
                    assertThat(dn2.printed(carrier("carrying"))).isTrue();

                    restarted = t.start(t.dn1, "dn", "dn1.yaml");
                    NodeProcess back = restarted;
                    await().atMost(STEP).until(() -> en.printed(enDn("dn1", "failback")));
                    flows(probe);
                    await().atMost(STEP).until(() -> back.printed(carrier("carrying")) && dn2.printed(release()));

                    back.signal("STOP");
                    await().atMost(STEP).until(() -> en.count(enDn("dn2", "failover")) == 2);
                    flows(probe);
                    back.signal("CONT");
                    await().atMost(STEP).until(() -> en.count(enDn("dn1", "failback")) == 2);
                    flows(probe);
                    assertThat(probe.gaps(probe.highestEchoed())).as("loss only around the four switches").hasSizeLessThanOrEqualTo(8);
                }
            } catch (Throwable failure) {
                t.dump(System.err);
                for (NodeProcess p : restarted == null ? List.of(en, dn1, dn2) : List.of(en, dn1, dn2, restarted)) {
                    p.lines.forEach(System.err::println);
                }
                throw failure;
            } finally {
                en.close();
                dn1.close();
                if (restarted != null) {
                    restarted.close();
                }
            }
        }
    }

    /** Datagrams sent from now on come back: the stream flows again. */
    static void flows(SeqProbe probe) {
        long mark = probe.sent();
        await().atMost(STEP).until(() -> probe.highestEchoed() > mark + 25);
    }

    static Predicate<String> enDn(String to, String reason) {
        return l -> l.contains("\"type\":\"tunnel.en.dn\"") && l.contains("\"to\":\"" + to + "\"") && l.contains("\"reason\":\"" + reason + "\"");
    }

    static Predicate<String> sessionUp(String dn) {
        return l -> l.contains("\"type\":\"tunnel.en.session\"") && l.contains("\"to\":\"up\"") && l.contains("\"dn\":\"" + dn + "\"");
    }

    static Predicate<String> carrier(String to) {
        return l -> l.contains("\"type\":\"tunnel.dn.carrier\"") && l.contains("\"to\":\"" + to + "\"");
    }

    private static Predicate<String> release() {
        return l -> l.contains("\"type\":\"tunnel.dn.carrier\"") && l.contains("\"reason\":\"release\"");
    }
}
