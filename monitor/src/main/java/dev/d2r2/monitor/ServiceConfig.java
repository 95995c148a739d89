package dev.d2r2.monitor;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A monitored service (the R-Peer's service profile): its probes, thresholds and resilience model. */
public record ServiceConfig(String name, List<ProbeConfig> probes, List<ThresholdConfig> thresholds, List<DerivedMetric> model) {
    public ServiceConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a service needs a name");
        }
        probes = probes == null ? List.of() : List.copyOf(probes);
        thresholds = thresholds == null ? List.of() : List.copyOf(thresholds);
        model = model == null ? List.of() : List.copyOf(model);
        if (probes.isEmpty()) {
            throw new IllegalArgumentException("service " + name + " has no probe");
        }
        Set<String> names = new HashSet<>();
        for (ProbeConfig p : probes) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("service " + name + ": two probes are named " + p.name()
                        + " (give one a name:)");
            }
        }
        for (DerivedMetric d : model) {
            for (String input : d.inputs()) {
                if (probeOf(probes, input) == null) {
                    throw new IllegalArgumentException("service " + name + ": derived metric " + d.name() + " reads " + input
                            + ", which no probe measures");
                }
            }
        }
        Set<String> metrics = new HashSet<>();
        for (ThresholdConfig t : thresholds) {
            if (!metrics.add(t.metric())) {
                throw new IllegalArgumentException("service " + name + ": two thresholds for " + t.metric());
            }
            if (probeOf(probes, t.metric()) == null) {
                throw new IllegalArgumentException("service " + name + ": no probe measures " + t.metric()
                        + " (metrics are <probe name>.<value>, or a Nagios probe's name for its state)");
            }
        }
    }

    /** The probe whose metrics include {@code metric}: its name, or its name and a dot. */
    static ProbeConfig probeOf(List<ProbeConfig> probes, String metric) {
        for (ProbeConfig p : probes) {
            if (metric.equals(p.name()) || metric.startsWith(p.name() + ".")) {
                return p;
            }
        }
        return null;
    }
}
