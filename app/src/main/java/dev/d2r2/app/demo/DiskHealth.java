package dev.d2r2.app.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The SMART data of s2's host's disk as node_exporter's smartmon collector exports it, for the
 * monitor's Prometheus probe: the demo's stand-in for a disk, whose reallocated sectors it sets.
 */
final class DiskHealth implements AutoCloseable {
    static final String SERIES = "smartmon_reallocated_sector_ct_raw_value";

    private final HttpServer server;
    private volatile long reallocated;

    DiskHealth(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/metrics", this::metrics);
        server.start();
    }

    void reallocated(long sectors) {
        reallocated = sectors;
    }

    private void metrics(HttpExchange x) throws IOException {
        try (x) {
            byte[] body = ("# TYPE " + SERIES + " gauge\n" + SERIES + "{disk=\"/dev/sda\"} " + reallocated + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
