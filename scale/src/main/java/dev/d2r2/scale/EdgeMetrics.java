package dev.d2r2.scale;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the edge's new-call rate from its Prometheus exposition ({@code d2r2_edge_invite_rate}, docs/sip-edge.md "Metrics"). */
public final class EdgeMetrics {
    /** The metric name a type's configuration uses for new calls a second per instance. */
    public static final String CALLS_PER_S = "calls_per_s";
    private static final String GAUGE = "d2r2_edge_invite_rate";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private EdgeMetrics() {
    }

    public static double inviteRate(URI metrics) throws IOException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(metrics + ": " + r.statusCode());
            }
            return gauge(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static double gauge(String exposition) throws IOException {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(GAUGE + " ") || line.startsWith(GAUGE + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new IOException("no " + GAUGE + " in the edge's metrics (does it run with telemetry?)");
    }
}
