package dev.d2r2.scale;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How the scaler runs: how long a new instance has to answer its health check before it is
 * stopped (and never added to the edge), how long to wait for its first call, how often the edge
 * is read, the edge's Prometheus {@code /metrics} for {@code calls_per_s} (null: only
 * {@code active_calls} is known), and the clone bans a previous run left in force, taken before
 * any instance is placed ({@link CloneBan#inForce}).
 */
public record ScalerOptions(Duration healthDeadline, Duration firstCallDeadline, Duration poll, URI edgeMetrics,
                            List<CloneBan> restoredBans) {
    public static final ScalerOptions DEFAULT = new ScalerOptions(Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMillis(500), null);

    public ScalerOptions {
        restoredBans = List.copyOf(restoredBans);
    }

    public ScalerOptions(Duration healthDeadline, Duration firstCallDeadline, Duration poll, URI edgeMetrics) {
        this(healthDeadline, firstCallDeadline, poll, edgeMetrics, List.of());
    }

    public ScalerOptions withEdgeMetrics(URI metrics) {
        return new ScalerOptions(healthDeadline, firstCallDeadline, poll, metrics, restoredBans);
    }

    public ScalerOptions withRestoredBans(List<CloneBan> bans) {
        return new ScalerOptions(healthDeadline, firstCallDeadline, poll, edgeMetrics, bans);
    }
}
