package dev.d2r2.monitor;

import com.sun.net.httpserver.HttpServer;
import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each probe kind against a real target on this machine. */
class ProbesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static Probe probe(String kind, String target, List<String> command, String match, List<String> series) {
        ProbeConfig c = new ProbeConfig(kind, null, target, null, null, command, match, series, null, null);
        return ProbeKinds.of(kind).create(c);
    }

    @Test
    void tcpMeasuresConnectTimeAndFailsOnARefusedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            Measurement m = probe("tcp", "127.0.0.1:" + s.getLocalPort(), null, null, null).measure(TIMEOUT);
            assertThat(m.values().get("connect_ms")).isPositive().isLessThan(2000);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Probe p = probe("tcp", "127.0.0.1:" + closed, null, null, null);
        assertThatThrownBy(() -> p.measure(TIMEOUT)).isInstanceOf(ProbeException.class).hasMessageContaining("refused");
    }

    @Test
    void httpReportsStatusLatencyAndBodyMatch() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", x -> reply(x, 200, "status: UP"));
        server.createContext("/down", x -> reply(x, 503, "status: DOWN"));
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Measurement up = probe("http", base + "/health", null, "UP$", null).measure(TIMEOUT);
            assertThat(up.values()).containsEntry("status", 200.0).containsEntry("match", 1.0).containsKey("latency_ms");
            Measurement down = probe("http", base + "/down", null, "UP$", null).measure(TIMEOUT);
            assertThat(down.values()).containsEntry("status", 503.0).containsEntry("match", 0.0);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void prometheusSelectsSeriesByNameAndLabels() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", x -> reply(x, 200, """
                # HELP d2r2_broker_published_total Events published.
                # TYPE d2r2_broker_published_total counter
                d2r2_broker_published_total{channel="alarms"} 12.0
                d2r2_broker_published_total{channel="metrics",x="a \\"q\\""} 30.0
                process_open_fds 17
                """));
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
            Measurement m = probe("prometheus", url, null, null,
                    List.of("d2r2_broker_published_total{channel=\"alarms\"}", "process_open_fds")).measure(TIMEOUT);
            assertThat(m.values()).containsEntry("d2r2_broker_published_total", 12.0).containsEntry("process_open_fds", 17.0);
            Measurement all = probe("prometheus", url, null, null, List.of("d2r2_broker_published_total")).measure(TIMEOUT);
            assertThat(all.values()).containsEntry("d2r2_broker_published_total", 42.0);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void processReadsCpuMemoryAndFilesOfAPidOrAName() throws Exception {
        Probe self = probe("process", Long.toString(ProcessHandle.current().pid()), null, null, null);
        Measurement first = self.measure(TIMEOUT);
        assertThat(first.values().get("rss_bytes")).isGreaterThan(1_000_000);
        assertThat(first.values().get("fds")).isGreaterThan(3);
        assertThat(first.values()).doesNotContainKey("cpu_percent");
        assertThat(self.measure(TIMEOUT).values()).containsKey("cpu_percent");
        assertThat(probe("process", "java", null, null, null).measure(TIMEOUT).values()).containsKey("rss_bytes");
        assertThatThrownBy(() -> probe("process", "no-such-process-d2r2", null, null, null).measure(TIMEOUT))
                .isInstanceOf(ProbeException.class);
    }

    @Test
    void nagiosPluginsGiveTheirStateAndPerformanceData() throws Exception {
        Peers.require(Path.of("/usr/lib/nagios/plugins/check_tcp"), "monitoring-plugins-basic");
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Measurement m = probe("nagios", null, List.of("/usr/lib/nagios/plugins/check_tcp", "-H", "127.0.0.1", "-p",
                    Integer.toString(s.getLocalPort()), "-w", "5", "-c", "10"), null, null).measure(Duration.ofSeconds(10));
            assertThat(m.state()).isEqualTo("ok");
            assertThat(m.values()).containsKey("time");
        }
        Measurement crit = probe("nagios", null, List.of("/usr/lib/nagios/plugins/check_dummy", "2", "down"), null, null)
                .measure(Duration.ofSeconds(10));
        assertThat(crit.state()).isEqualTo("critical");
        assertThat(crit.detail()).contains("down");
    }

    private static void reply(com.sun.net.httpserver.HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length);
        try (var out = x.getResponseBody()) {
            out.write(b);
        }
    }
}
