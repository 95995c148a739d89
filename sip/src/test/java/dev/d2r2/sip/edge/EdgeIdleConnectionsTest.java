package dev.d2r2.sip.edge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The attack of issue 16 item 7, against a real edge in a process of its own (its memory alone,
 * and file descriptors enough for both ends): 10,000 idle TCP connections from 40 sources (each
 * within the default per-source limit). The edge's own metrics must show them held in under
 * 512 MiB resident with one small read buffer each, and every one closed at the idle limit.
 */
class EdgeIdleConnectionsTest {
    private static final int CONNECTIONS = 10_000;
    private static final int PER_SOURCE = 250;
    private static final long IDLE_MS = 8_000;
    /** The JVM options the launcher gives {@code d2r2 lb} (bin/d2r2). */
    private static final List<String> LB_JVM = List.of("-XX:MaxGCPauseMillis=5", "-Xms256m", "-Xmx384m", "-Xmn128m", "-XX:+UseSerialGC",
            "-XX:+AlwaysPreTouch");

    @TempDir
    Path dir;

    @Test
    void tenThousandIdleConnectionsStayUnder512MiBAndAreClosedAtTheIdleLimit() throws Exception {
        List<SocketChannel> clients = new ArrayList<>(CONNECTIONS);
        try (DatagramSocket backend = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Process edge = start(backend.getLocalPort());
            try (HttpClient http = HttpClient.newHttpClient()) {
                String[] ports = firstLine(edge).split(" ");
                assertThat(ports[0]).as(Files.readString(dir.resolve("edge.err"))).isEqualTo("edge");
                InetSocketAddress sip = new InetSocketAddress("127.0.0.1", Integer.parseInt(ports[1]));
                URI metrics = URI.create("http://127.0.0.1:" + ports[2] + "/metrics");
                long residentBefore = (long) metric(http, metrics, "d2r2_edge_resident_bytes");

                long firstConnect = System.nanoTime();
                for (int i = 0; i < CONNECTIONS; i++) {
                    SocketChannel c = SocketChannel.open();
                    clients.add(c);
                    c.bind(new InetSocketAddress("127.0.0." + (1 + i / PER_SOURCE), 0));
                    c.connect(sip);
                }
                long lastConnect = System.nanoTime();
                await().atMost(Duration.ofSeconds(20)).until(() -> metric(http, metrics, "d2r2_edge_tcp_connections") == CONNECTIONS);
                assertThat(millisSince(firstConnect)).as("the connections were all open before the idle limit")
                        .isLessThan(IDLE_MS);
                long resident = (long) metric(http, metrics, "d2r2_edge_resident_bytes");
                assertThat(resident).as("resident bytes with %d idle connections", CONNECTIONS).isLessThan(512L << 20);
                assertThat(metric(http, metrics, "d2r2_edge_tcp_read_buffer_bytes"))
                        .isEqualTo((double) CONNECTIONS * TcpTransport.FIRST_READ_BYTES);
                assertThat((resident - residentBefore) / CONNECTIONS).as("resident bytes per connection").isLessThan(16 * 1024);
                assertThat(outcome(http, metrics, "tcp.closed_idle")).isZero();
                assertThat(outcome(http, metrics, "tcp.accepted")).isEqualTo(CONNECTIONS);

                await().atMost(Duration.ofMillis(IDLE_MS + 15_000)).pollInterval(Duration.ofMillis(200))
                        .until(() -> metric(http, metrics, "d2r2_edge_tcp_connections") == 0);
                long closedAfter = millisSince(lastConnect);
                assertThat(closedAfter).as("closed at the idle limit").isGreaterThanOrEqualTo(IDLE_MS);
                assertThat(outcome(http, metrics, "tcp.closed_idle")).isEqualTo(CONNECTIONS);
                assertThat(outcome(http, metrics, "tcp.errors")).isZero();
                ByteBuffer one = ByteBuffer.allocate(1);
                for (SocketChannel c : clients) {
                    one.clear();
                    assertThat(c.read(one)).isEqualTo(-1);
                }
            } finally {
                edge.getOutputStream().close();
                if (!edge.waitFor(10, TimeUnit.SECONDS)) {
                    edge.destroyForcibly();
                }
            }
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
        }
    }

    private Process start(int backendPort) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(LB_JVM);
        cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                EdgeProcess.class.getName(), Integer.toString(backendPort), Long.toString(IDLE_MS)));
        return new ProcessBuilder(cmd).redirectError(dir.resolve("edge.err").toFile()).start();
    }

    private static String firstLine(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return r.readLine();
            } catch (java.io.IOException e) {
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        return line == null ? "exited" : line;
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** The value of an unlabelled sample, or -1 when absent. */
    private static double metric(HttpClient http, URI metrics, String name) throws Exception {
        return sample(http, metrics, name + " ");
    }

    /** The {@code d2r2_edge_messages_total} of an outcome, 0 when absent. */
    private static long outcome(HttpClient http, URI metrics, String label) throws Exception {
        return Math.max(0, (long) sample(http, metrics, "d2r2_edge_messages_total{outcome=\"" + label + "\"} "));
    }

    private static double sample(HttpClient http, URI metrics, String prefix) throws Exception {
        String text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(prefix.length()).strip());
            }
        }
        return -1;
    }
}
