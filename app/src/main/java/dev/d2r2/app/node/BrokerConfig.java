package dev.d2r2.app.node;

import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.server.ConnectionLimits;
import dev.d2r2.broker.server.LimitsConfig;
import dev.d2r2.core.HostPort;

import java.util.List;

/**
 * The broker's YAML configuration.
 *
 * <pre>
 * listen: 127.0.0.1:7100     # TLS listener
 * data: /var/lib/d2r2        # data directory
 * metrics: 127.0.0.1:9464    # Prometheus /metrics; "off" to disable
 * channels:                  # created at start when absent (see ChannelConfig)
 *   - tag: alarms
 *     ordering: total
 * limits:                    # connection limits (see LimitsConfig); absent keys take defaults
 *   connectionsPerIdentity: 64
 * record: true               # keep a log of the loop's channels for d2r2 replay (default false)
 * </pre>
 *
 * @param record with {@code d2r2 run}: create the channels the loop reads (samples, alarms, the
 *               chronicles' inputs, the edge's telemetry) with a log, so that {@code d2r2 replay}
 *               can run the loop again over them; off by default, since an in-process publisher
 *               then writes each event to the log file before its publish returns
 */
public record BrokerConfig(String listen, String data, String metrics, List<ChannelConfig> channels,
                           LimitsConfig limits, Boolean record) {
    public BrokerConfig {
        record = record != null && record;
        channels = channels == null ? List.of() : List.copyOf(channels);
        if (listen != null) {
            HostPort.parse(listen);
        }
        if (metrics != null && !metrics.equals("off")) {
            HostPort.parse(metrics);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ChannelConfig c : channels) {
            if (!seen.add(c.tag())) {
                throw new IllegalArgumentException("channel " + c.tag() + " is declared twice");
            }
        }
    }

    public ConnectionLimits connectionLimits() {
        return limits == null ? ConnectionLimits.DEFAULTS : limits.toLimits();
    }
}
