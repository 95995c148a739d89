package dev.d2r2.sip;

import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
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

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process start(String name, List<String> cmd) throws Exception {
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    private Path resource(String name) throws Exception {
        Path p = dir.resolve(Path.of(name).getFileName());
        try (var in = getClass().getResourceAsStream(name)) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    @Test
    void callsThroughTheEdgeToKamailioToASipServerAllSucceed() throws Exception {
        Peers.require(SIPP, "sip-tester");
        Peers.require(KAMAILIO, "kamailio");
        int uas = freeUdpPort();
        int kamailio = freeUdpPort();
        Process server = start("uas", List.of(SIPP.toString(), "-sn", "uas", "-aa", "-i", "127.0.0.1", "-p", Integer.toString(uas),
                "-nostdin"));
        Process proxy = start("kamailio", List.of(KAMAILIO.toString(), "-f", resource("/kamailio/backend.cfg").toString(),
                "-l", "udp:127.0.0.1:" + kamailio, "-A", "NEXT=\"sip:127.0.0.1:" + uas + "\"", "-DD", "-E", "-w", dir.toString(),
                "-m", "64", "-M", "8"));
        List<BackendEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                List.of(new Backend(new InetSocketAddress("127.0.0.1", kamailio), 1)), events::add)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.counters().getOrDefault("probe.answers", 0L) >= 2);
            Process uac = start("uac", List.of(SIPP.toString(), "-sf", resource("/sipp/uac-routes.xml").toString(),
                    "127.0.0.1:" + edge.address().getPort(), "-i", "127.0.0.1", "-p", Integer.toString(freeUdpPort()),
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
