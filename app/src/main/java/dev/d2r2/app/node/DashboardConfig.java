package dev.d2r2.app.node;

import dev.d2r2.core.HostPort;
import dev.d2r2.monitor.MonitorConfig;
import dev.d2r2.policy.PolicyRole;

import java.util.List;

/** The dashboard and its REST API: where it listens and the channels it shows. */
public record DashboardConfig(String listen, List<String> channels) {
    public DashboardConfig {
        listen = listen == null ? "127.0.0.1:8080" : listen;
        HostPort.parse(listen);
        channels = channels == null ? List.of(MonitorConfig.DEFAULT_ALARMS, "alerts", PolicyRole.DEFAULT_ACTIONS, "edge")
                : List.copyOf(channels);
    }
}
