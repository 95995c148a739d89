package dev.d2r2.monitor;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One probe of a service. {@code kind} picks the probe; the other fields are the options of the
 * kinds that take them (each kind refuses the ones it does not):
 *
 * <pre>
 * - kind: tcp                      # connect time to host:port
 *   target: 127.0.0.1:5060
 *   interval: 1s                   # default 10s
 *   timeout: 500ms                 # default: the interval, at most 5s
 * - kind: http                     # status, latency, optional body match
 *   target: http://127.0.0.1:8080/health
 *   match: "UP"
 * - kind: nagios                   # any Nagios plugin: exit code → state, perfdata → values
 *   command: [/usr/lib/nagios/plugins/check_tcp, -H, 127.0.0.1, -p, "5060"]
 * - kind: process                  # CPU, RSS, open files of a local process
 *   target: kamailio               # a pid or a process name
 * - kind: prometheus               # selected series of a /metrics endpoint
 *   target: http://127.0.0.1:9464/metrics
 *   series: ['d2r2_broker_published_total{channel="alarms"}']
 * - kind: os                       # what the kernel accounts to one peer: CPU, run-queue wait, memory,
 *   target: cgroup:d2r2/s1         #   faults, disk, network, switches, fds; pid:N, name:COMM, netns:NAME
 *   interval: 1s                   # default 1s for this kind
 * - kind: snmp                     # named OIDs of an SNMP agent; counters become rates per second
 *   target: 10.0.0.5:161
 *   oids: {uptime: 1.3.6.1.2.1.1.3.0, in_octets: 1.3.6.1.2.1.2.2.1.10.1}
 *   snmp: {version: 3, user: d2r2, auth: SHA, authPassword: ..., priv: AES, privPassword: ...}
 * </pre>
 *
 * {@code name} is the metric prefix: metrics are {@code <name>.<value>}, e.g. {@code tcp.connect_ms}.
 */
public record ProbeConfig(String kind, String name, String target, Duration interval, Duration timeout,
                          List<String> command, String match, List<String> series, Map<String, String> oids,
                          SnmpOptions snmp) {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    static final Duration MAX_DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public ProbeConfig(String kind, String name, String target, Duration interval, Duration timeout,
                       List<String> command, String match, List<String> series, Map<String, String> oids,
                       SnmpOptions snmp) {
        if (kind == null) {
            throw new IllegalArgumentException("a probe needs a kind");
        }
        this.kind = kind;
        ProbeKind k = ProbeKinds.of(kind);
        this.interval = interval == null ? k.defaultInterval() : interval;
        if (this.interval.isNegative() || this.interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.timeout = timeout != null ? timeout
                : this.interval.compareTo(MAX_DEFAULT_TIMEOUT) < 0 ? this.interval : MAX_DEFAULT_TIMEOUT;
        this.target = target;
        this.command = command == null ? null : List.copyOf(command);
        this.match = match;
        this.series = series == null ? null : List.copyOf(series);
        this.oids = oids == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(oids));
        this.snmp = snmp;
        // The kind checks the options it reads; every field but the name is set by now.
        k.validate(this);
        this.name = name == null ? k.defaultName(this) : name;
    }

    /** Fails unless exactly the given options (beyond kind, name, interval, timeout) are set. */
    public void requireOnly(String... allowed) {
        List<String> ok = List.of(allowed);
        String[][] given = {{"target", target}, {"command", command == null ? null : "x"}, {"match", match},
                {"series", series == null ? null : "x"}, {"oids", oids == null ? null : "x"}, {"snmp", snmp == null ? null : "x"}};
        for (String[] g : given) {
            if (g[1] != null && !ok.contains(g[0])) {
                throw new IllegalArgumentException("a " + kind + " probe takes no " + g[0]);
            }
        }
    }

    public String requireTarget(String what) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("a " + kind + " probe needs a target (" + what + ")");
        }
        return target;
    }
}
