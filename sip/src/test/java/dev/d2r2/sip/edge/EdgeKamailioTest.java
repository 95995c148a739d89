package dev.d2r2.sip.edge;

import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Kamailio 5.6 as the edge's backend (it relays to a SIPp uas): probed, and every call through it succeeds. */
class EdgeKamailioTest {
    private static final Path KAMAILIO = Path.of("/usr/sbin/kamailio");
    private static final Path SIPP = Path.of("/usr/bin/sipp");

    @TempDir
    Path dir;

    @Test
    void callsThroughTheEdgeToKamailioToASipServerAllSucceed() throws Exception {
        Peers.require(SIPP, "sip-tester");
        Peers.require(KAMAILIO, "kamailio");
        int uas = Processes.freeUdpPort();
        int kamailio = Processes.freeUdpPort();
        Process server = Processes.start(dir, "uas", List.of(SIPP.toString(), "-sn", "uas", "-aa", "-i", "127.0.0.1", "-p", Integer.toString(uas),
                "-nostdin"));
        Process proxy = Processes.start(dir, "kamailio", List.of(KAMAILIO.toString(), "-f", Processes.resource(dir, "/kamailio/backend.cfg").toString(),
                "-l", "udp:127.0.0.1:" + kamailio, "-A", "NEXT=\"sip:127.0.0.1:" + uas + "\"", "-DD", "-E", "-w", dir.toString(),
                "-m", "64", "-M", "8"));
        List<BackendEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                List.of(new Backend(new InetSocketAddress("127.0.0.1", kamailio), 1)), events::add)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.counters().getOrDefault("probe.answers", 0L) >= 2);
            Process uac = Processes.start(dir, "uac", List.of(SIPP.toString(), "-sf", Processes.resource(dir, "/sipp/uac-routes.xml").toString(),
                    "127.0.0.1:" + edge.address().getPort(), "-i", "127.0.0.1", "-p", Integer.toString(Processes.freeUdpPort()),
                    "-m", "50", "-r", "25", "-d", "100", "-timeout", "60s", "-timeout_error", "-nostdin"));
            assertThat(uac.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(uac.exitValue()).as(Files.readString(dir.resolve("uac.out"))).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.activeDialogs() == 0);
            assertThat(edge.counters()).containsEntry("dialogs.started", 50L).containsEntry("dialogs.ended", 50L);
            assertThat(events).isEmpty();
        } finally {
            proxy.destroy();
            server.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
