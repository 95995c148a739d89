package dev.d2r2.sip.edge;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * An edge in a process of its own, for tests that need its memory alone or more file descriptors
 * than one process holds with the clients: {@code EdgeProcess BACKEND_PORT IDLE_MS}. It prints
 * {@code edge SIP_PORT METRICS_PORT} once listening, serves its Prometheus metrics, and stops
 * when its standard input closes.
 */
public final class EdgeProcess {
    private EdgeProcess() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress backend = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0]));
        Duration idle = Duration.ofMillis(Long.parseLong(args[1]));
        PrometheusRegistry registry = new PrometheusRegistry();
        try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(new Backend(backend, 1)),
                Duration.ofHours(1), Duration.ofMillis(300), c -> { });
             HTTPServer metrics = HTTPServer.builder().hostname("127.0.0.1").port(0).registry(registry).buildAndStart()) {
            TcpLimits d = TcpLimits.DEFAULTS;
            edge.tcpLimits(new TcpLimits(d.connections(), d.connectionsPerSource(), idle, d.bufferMemoryBytes()));
            edge.registerMetrics(registry);
            System.out.println("edge " + edge.address().getPort() + " " + metrics.getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the test closes its input
            }
        }
    }
}
