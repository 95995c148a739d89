package dev.d2r2.monitor;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code d2r2 monitor}'s YAML configuration.
 *
 * <pre>
 * metrics: metrics          # channel for samples (default metrics)
 * alarms: alarms            # channel for state events (default alarms)
 * reassert: 60s             # publish every alarm's current state again this often (default 60s)
 * peers: {heartbeat: 1s}    # optional: share the services among peers (see PeersConfig)
 * resilience: {every: 10s}  # optional: publish Availability, RRR, SFR, MTBF, MTTR (see ResilienceConfig)
 * services:
 *   - name: sip-gw-1
 *     probes: [...]         # see ProbeConfig
 *     thresholds: [...]     # see ThresholdConfig
 * </pre>
 */
public record MonitorConfig(String metrics, String alarms, Duration reassert, PeersConfig peers, ResilienceConfig resilience,
                            List<ServiceConfig> services) {
    public static final String DEFAULT_METRICS = "metrics";
    public static final String DEFAULT_ALARMS = "alarms";
    public static final Duration DEFAULT_REASSERT = Duration.ofSeconds(60);

    public MonitorConfig {
        metrics = metrics == null ? DEFAULT_METRICS : metrics;
        alarms = alarms == null ? DEFAULT_ALARMS : alarms;
        reassert = reassert == null ? DEFAULT_REASSERT : reassert;
        if (reassert.isNegative() || reassert.isZero()) {
            throw new IllegalArgumentException("reassert must be positive");
        }
        services = services == null ? List.of() : List.copyOf(services);
        Set<String> names = new HashSet<>();
        for (ServiceConfig s : services) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("service " + s.name() + " is declared twice");
            }
        }
    }
}
