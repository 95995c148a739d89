package dev.d2r2.app.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.sip.edge.Affinity;
import dev.d2r2.sip.edge.EdgeProxy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The SIP edge ({@code d2r2 lb --config}, or the {@code lb} section of {@code d2r2 run}).
 *
 * <pre>
 * listen: 127.0.0.1:5060          # UDP and TCP
 * backends:
 *   - { address: 127.0.0.1:5070, weight: 2, max-dialogs: 500 }
 *   - { address: 127.0.0.1:5071 }
 * affinity: call-id               # call-id | from-user | ruri-user | least-dialogs
 * dialog-timeout: 2h
 * api:                            # HTTP API: /actions (policy webhook), /backends; see {@link ApiConfig}
 *   listen: 127.0.0.1:8090
 *   token-file: edge-api.token    # the bearer token every change needs (relative to this file)
 * metrics: 127.0.0.1:9470         # Prometheus /metrics
 * telemetry: edge                 # broker channel for traffic, suspects and backend changes
 * commands: edge-commands         # broker channel of backend commands
 * movers: [migrate.h2]            # broker identities whose move commands are taken (the migration hosts'; none by default)
 * suspect-rate: 30                # INVITEs a second from which a source is suspect
 * probe-interval: 500ms           # OPTIONS to each backend this often
 * probe-timeout: 300ms            # a probe unanswered this long is a miss (down after 2)
 * probe: true                     # OPTIONS probes; false judges backends by their answers to requests alone
 * receivers: 2                    # UDP sockets (and threads) sharing the port (default: one per two cores)
 * tcp:                            # clients' TCP connections (see {@link EdgeTcpConfig})
 *   connections: 10000
 *   connections-per-source: 256
 *   idle-timeout: 5m
 *   buffer-memory: 64MiB
 * </pre>
 */
public record EdgeConfig(String listen, List<BackendConfig> backends, String affinity,
                         @JsonProperty("dialog-timeout") Duration dialogTimeout, ApiConfig api, String metrics, String telemetry,
                         String commands, @JsonProperty("suspect-rate") Double suspectRate,
                         @JsonProperty("probe-interval") Duration probeInterval,
                         @JsonProperty("probe-timeout") Duration probeTimeout, Boolean probe, Integer receivers,
                         EdgeTcpConfig tcp, List<String> movers) {
    public EdgeConfig {
        movers = movers == null ? List.of() : List.copyOf(movers);
        listen = listen == null ? "127.0.0.1:5060" : listen;
        HostPort.parse(listen);
        backends = backends == null ? List.of() : List.copyOf(backends);
        affinity = affinity == null ? "call-id" : affinity;
        Affinity.parse(affinity);
        dialogTimeout = dialogTimeout == null ? Duration.ofHours(2) : dialogTimeout;
        if (dialogTimeout.isNegative() || dialogTimeout.isZero()) {
            throw new IllegalArgumentException("dialog-timeout must be positive");
        }
        if (metrics != null) {
            HostPort.parse(metrics);
        }
        if (commands != null && telemetry == null) {
            throw new InvalidAt("commands needs telemetry (the channel where backend changes are published)", "commands");
        }
        if (suspectRate != null && !(suspectRate > 0)) {
            throw new InvalidAt("suspect-rate must be positive", "suspect-rate");
        }
        probeInterval = probeInterval == null ? Duration.ofMillis(500) : probeInterval;
        probeTimeout = probeTimeout == null ? Duration.ofMillis(300) : probeTimeout;
        if (!probeTimeout.isPositive() || probeTimeout.compareTo(probeInterval) > 0) {
            throw new InvalidAt("probe-timeout must be positive and at most probe-interval", "probe-timeout");
        }
        probe = probe == null || probe;
        tcp = tcp == null ? EdgeTcpConfig.DEFAULTS : tcp;
        receivers = receivers == null ? EdgeProxy.DEFAULT_RECEIVERS : receivers;
        if (receivers < 1) {
            throw new InvalidAt("receivers must be at least 1", "receivers");
        }
        if (backends.isEmpty()) {
            throw new InvalidAt("the edge needs at least one backend", "backends");
        }
    }

    /** This configuration with {@code api} in place of its own. */
    public EdgeConfig withApi(ApiConfig a) {
        return new EdgeConfig(listen, backends, affinity, dialogTimeout, a, metrics, telemetry, commands, suspectRate, probeInterval,
                probeTimeout, probe, receivers, tcp, movers);
    }

    /** This configuration with the files it names taken relative to {@code base}. */
    public EdgeConfig resolvedAgainst(Path base) {
        return api == null ? this : withApi(api.resolvedAgainst(base));
    }
}
