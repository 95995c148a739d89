package dev.d2r2.app.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.diagnosis.DiagnosisConfig;
import dev.d2r2.monitor.MonitorConfig;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one {@code d2r2 run} process runs: any set of roles, on an embedded broker
 * ({@code broker}) or on a broker elsewhere ({@code connect}). Files named in it are relative to
 * the configuration's directory.
 *
 * <pre>
 * name: node-1
 * broker: { listen: 127.0.0.1:7100, data: /var/lib/d2r2 }      # or connect: { identity: node-1.id }
 * monitor: { services: [...] }                                   # as `d2r2 monitor --config`
 * chronicles: { files: [flooding.chr], inputs: [alarms, edge] }
 * policy: { file: flooding.yaml, audit: audit.jsonl }
 * lb: { listen: 127.0.0.1:5060, backends: [...], telemetry: edge }  # as `d2r2 lb --config`
 * sip-servers: [ { name: s1, listen: 127.0.0.1:5070 } ]
 * dashboard: { listen: 127.0.0.1:8080 }
 * diagnosis: { profiles: profiles.json, groups: {sip: [s1, s2, s3]} }  # as `d2r2 diagnose run --config`
 * </pre>
 */
public record NodeConfig(String name, BrokerConfig broker, RemoteBrokerConfig connect, MonitorConfig monitor,
                         ChroniclesConfig chronicles, PolicyRoleConfig policy, EdgeConfig lb,
                         @JsonProperty("sip-servers") List<SipServerConfig> sipServers, DashboardConfig dashboard,
                         DiagnosisConfig diagnosis) {
    public NodeConfig {
        name = name == null ? "d2r2" : name;
        sipServers = sipServers == null ? List.of() : List.copyOf(sipServers);
        if (broker != null && connect != null) {
            throw new InvalidAt("give broker (run one here) or connect (use one elsewhere), not both", "connect");
        }
        boolean needsBroker = monitor != null || chronicles != null || policy != null || dashboard != null || diagnosis != null
                || lb != null && lb.telemetry() != null;
        if (needsBroker && broker == null && connect == null) {
            String first = monitor != null ? "monitor" : chronicles != null ? "chronicles" : policy != null ? "policy"
                    : dashboard != null ? "dashboard" : diagnosis != null ? "diagnosis" : "lb";
            throw new InvalidAt("this role talks through a broker: add broker: {} or connect: {identity: FILE}", first);
        }
        if (broker == null && monitor == null && chronicles == null && policy == null && lb == null && sipServers.isEmpty()
                && diagnosis == null) {
            throw new IllegalArgumentException("no role to run: give at least one of broker, monitor, chronicles, policy, lb,"
                    + " sip-servers, diagnosis");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < sipServers.size(); i++) {
            if (!names.add(sipServers.get(i).name())) {
                throw new InvalidAt("two sip servers are named " + sipServers.get(i).name(), "sip-servers", i);
            }
        }
    }
}
