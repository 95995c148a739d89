package dev.d2r2.migrate.classify;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.core.config.InvalidAt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the failure classifier of one host reads, from the monitor's events:
 *
 * <pre>
 * host: h1                          # the host watched: the source of migration.host.at-risk
 * spare: 10.97.24.2:7600            # a spare host's transfer address, for the policy
 * service: { probe: sip, value: rtt_ms, source: h1-sip }   # sip.rtt_ms answered, sip.error lost
 * host-check: { probe: icmp, source: h1 }                  # optional: the host itself
 * network-check: { probe: icmp, source: h1-gw }            # optional: its network path
 * warnings:                         # optional: monitor alarms that predict a host failure
 *   - { type: disk.reallocated, source: h1 }               # up while warning or critical
 * deadline: 200ms                   # a service probe answered later is late (default 200ms)
 * window: 10                        # service probes judged (default 10)
 * crash-after: 3                    # lost in a row: a crash (default 3)
 * omission-at: 2                    # lost in the window: an omission (default 2)
 * late-at: 3                        # late in the window: a timing failure (default 3)
 * judge: h1-sip                     # optional: the source of d2r2 migrate judge's verdicts on the service's answers
 * byzantine-at: 2                   # wrong answers in the window: a Byzantine failure (default 2)
 * peer-judge: h2-sip                # optional: the same server on another host, judged too: right there, the fault is h1's
 * </pre>
 */
public record ClassifierConfig(String host, String spare, Check service, @JsonProperty("host-check") Check hostCheck,
                               @JsonProperty("network-check") Check networkCheck, List<Alarm> warnings, Duration deadline,
                               Integer window, @JsonProperty("crash-after") Integer crashAfter,
                               @JsonProperty("omission-at") Integer omissionAt, @JsonProperty("late-at") Integer lateAt,
                               String judge, @JsonProperty("byzantine-at") Integer byzantineAt,
                               @JsonProperty("peer-judge") String peerJudge) {
    /** A monitor probe of {@code source}: {@code <probe>.<value>} events answered, {@code <probe>.error} not. */
    public record Check(String probe, String value, String source) {
        public Check {
            if (probe == null || probe.isBlank()) {
                throw new InvalidAt("a check needs probe, the monitor probe's name", "probe");
            }
            if (source == null || source.isBlank()) {
                throw new InvalidAt("a check needs source, what the probe probes", "source");
            }
        }

        /** An answer of this check: one of its values (the given one, when given). */
        boolean answers(String type, String from) {
            return source.equals(from) && (value == null ? type.startsWith(probe + ".") && !type.equals(failure())
                    : type.equals(probe + "." + value));
        }

        boolean fails(String type, String from) {
            return source.equals(from) && type.equals(failure());
        }

        private String failure() {
            return probe + ".error";
        }
    }

    /** A monitor alarm ({@code <metric>} state events) that predicts the host's failure while up. */
    public record Alarm(String type, String source) {
        public Alarm {
            if (type == null || type.isBlank() || source == null || source.isBlank()) {
                throw new InvalidAt("a warning needs type (the alarm's metric) and source", type == null || type.isBlank() ? "type" : "source");
            }
        }
    }

    public ClassifierConfig {
        if (host == null || host.isBlank()) {
            throw new InvalidAt("name the host watched: host", "host");
        }
        if (spare == null) {
            throw new InvalidAt("give spare, a spare host's transfer address (host:port)", "spare");
        }
        try {
            HostPort.parse(spare);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt("spare: " + e.getMessage(), "spare");
        }
        if (service == null) {
            throw new InvalidAt("give service, the probe of the host's service", "service");
        }
        if (service.value() == null) {
            throw new InvalidAt("the service check needs value, the probe's round-trip time (rtt_ms)", "service", "value");
        }
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        deadline = deadline == null ? Duration.ofMillis(200) : deadline;
        window = window == null ? 10 : window;
        crashAfter = crashAfter == null ? 3 : crashAfter;
        omissionAt = omissionAt == null ? 2 : omissionAt;
        lateAt = lateAt == null ? 3 : lateAt;
        byzantineAt = byzantineAt == null ? 2 : byzantineAt;
        if (judge != null && judge.isBlank()) {
            throw new InvalidAt("judge: name the source of the judge's verdicts (its --source)", "judge");
        }
        if (peerJudge != null && (judge == null || peerJudge.isBlank() || peerJudge.equals(judge))) {
            throw new InvalidAt("peer-judge needs judge, and names another source than it", "peer-judge");
        }
        if (deadline.toMillis() < 1) {
            throw new InvalidAt("deadline must be at least 1ms", "deadline");
        }
        for (var count : List.of(List.of("crash-after", crashAfter), List.of("omission-at", omissionAt), List.of("late-at", lateAt),
                List.of("byzantine-at", byzantineAt))) {
            int n = (Integer) count.get(1);
            if (n < 1 || n > window) {
                throw new InvalidAt(count.get(0) + " must be 1 to window (" + window + ")", (String) count.get(0));
            }
        }
    }

    public FailureClassifier.Thresholds thresholds() {
        return new FailureClassifier.Thresholds(window, crashAfter, omissionAt, lateAt, deadline.toMillis(), byzantineAt);
    }

    public static ClassifierConfig load(Path file) throws ConfigException {
        return ConfigLoader.load(file, ClassifierConfig.class);
    }
}
