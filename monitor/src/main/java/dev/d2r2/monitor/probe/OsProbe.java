package dev.d2r2.monitor.probe;

import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.ProbeConfig;
import dev.d2r2.monitor.ProbeKind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code kind: os}: what the kernel accounts to one peer, for peers that share a machine (whose
 * host-wide figures are the same for all). The target is a process ({@code pid:N} or
 * {@code name:COMM}), a cgroup v1 group ({@code cgroup:PATH}, under {@code /sys/fs/cgroup/<controller>})
 * a network namespace ({@code netns:NAME}, as {@code ip netns} names it), or the threads of this
 * very process named {@code NAME} or {@code NAME-...} ({@code threads:NAME}: peers that run inside
 * one node, such as its SIP servers, {@code threads:sip-s1}). Gauges are published
 * as read; counters as their rate since the previous measurement (so the first measurement has
 * gauges only). A process in its own network namespace, or a cgroup's first process in one, adds
 * that namespace's traffic.
 */
public final class OsProbe implements Probe {
    /**
     * The rates that are zero in a healthy peer by construction and move only under a fault:
     * CPU time held back by a cgroup's quota (nothing is throttled without one), packets dropped by
     * the namespace's firewall (nothing is filtered without a rule). A metric set chosen by how
     * often a rate is non-zero in health would leave them out.
     */
    public static final List<String> FAULT_RATES = List.of(OsCounters.THROTTLED, OsCounters.NET_RX_FILTERED);

    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /** The kernel's limit on a thread's name ({@code TASK_COMM_LEN} less its terminating zero). */
    static final int THREAD_NAME_BYTES = 15;
    private final Target target;
    private Map<String, Double> lastCounters;
    private long lastNanos;
    private String lastIdentity;

    /** What to read, and what identifies the thing read (a restarted process's counters start over). */
    sealed interface Target {
        String identity() throws ProbeException;

        OsCounters read() throws IOException, ProbeException;

        static Target parse(String text) {
            int colon = text.indexOf(':');
            String kind = colon < 0 ? "" : text.substring(0, colon);
            String rest = colon < 0 ? "" : text.substring(colon + 1);
            if (rest.isBlank()) {
                throw new IllegalArgumentException("os probe target \"" + text + "\": give pid:N, name:COMM, cgroup:PATH, netns:NAME or threads:NAME");
            }
            return switch (kind) {
                case "pid" -> {
                    if (!rest.chars().allMatch(Character::isDigit)) {
                        throw new IllegalArgumentException("os probe target \"" + text + "\": a pid is a number");
                    }
                    yield new ProcessTarget(rest);
                }
                case "name" -> new ProcessTarget(rest);
                case "cgroup" -> {
                    if (rest.contains("..")) {
                        throw new IllegalArgumentException("os probe target \"" + text + "\": a cgroup path stays under " + CGROUP_ROOT);
                    }
                    yield new CgroupTarget(rest.replaceFirst("^/+", ""));
                }
                case "netns" -> {
                    if (!rest.matches("[A-Za-z0-9_.-]+")) {
                        throw new IllegalArgumentException("os probe target \"" + text + "\": not a namespace name");
                    }
                    yield new NetnsTarget(rest);
                }
                case "threads" -> {
                    if (rest.length() > THREAD_NAME_BYTES || !rest.matches("[A-Za-z0-9_.-]+")) {
                        throw new IllegalArgumentException("os probe target \"" + text + "\": a thread name of at most "
                                + THREAD_NAME_BYTES + " letters, digits, '_', '.' or '-' (the kernel keeps no more)");
                    }
                    yield new ThreadsTarget(rest);
                }
                default -> throw new IllegalArgumentException("os probe target \"" + text
                        + "\": give pid:N, name:COMM, cgroup:PATH, netns:NAME or threads:NAME");
            };
        }
    }

    record ProcessTarget(String process) implements Target {
        @Override
        public String identity() throws ProbeException {
            long pid = Pids.resolve(process);
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // the start time (field 22) tells a reused pid from the process measured before
                return pid + "@" + stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
            } catch (IOException e) {
                throw new ProbeException("process " + process + " (pid " + pid + ") is gone", e);
            }
        }

        @Override
        public OsCounters read() throws IOException, ProbeException {
            long pid = Pids.resolve(process);
            OsCounters c = new OsCounters();
            c.addProcess(pid);
            c.addNetworkOfProcess(pid);
            return c;
        }
    }

    record CgroupTarget(String group) implements Target {
        @Override
        public String identity() {
            return group;
        }

        /** The group's processes summed (one that ends lowers a sum: that rate counts as 0), then its own CPU and memory accounting. */
        @Override
        public OsCounters read() throws IOException, ProbeException {
            Path procs = CGROUP_ROOT.resolve("cpuacct").resolve(group).resolve("cgroup.procs");
            if (!Files.isRegularFile(procs)) {
                throw new ProbeException("no cgroup " + group + " (no " + procs + ")");
            }
            OsCounters c = new OsCounters();
            List<Long> pids = Files.readAllLines(procs).stream().filter(l -> !l.isBlank()).map(Long::parseLong).toList();
            for (long pid : pids) {
                try {
                    c.addProcess(pid);
                } catch (IOException e) {
                    if (!OsCounters.ended(e)) {
                        throw e;
                    }
                    // ended since the listing
                }
            }
            if (!pids.isEmpty()) {
                c.addNetworkOfProcess(pids.getFirst());
            }
            c.useCgroupAccounting(CGROUP_ROOT, group);
            return c;
        }
    }

    /**
     * The threads of this process named {@code name} or {@code name-...}, their CPU, faults,
     * run-queue wait, context switches and count (memory, fds and disk are the process's, shared by
     * its threads: left out). Threads that come and go (a restarted server's) keep the target: a
     * sum that falls counts as 0. Each thread's name is read once it is no longer the process's
     * own (a thread just started has it until it names itself): a measurement reads only the
     * threads that match, however many the process has.
     */
    static final class ThreadsTarget implements Target {
        private static final Path TASKS = Path.of("/proc/self/task");
        private final String name;
        private final String unnamed;
        /** Thread id → whether its name matches, for the threads listed last time. */
        private Map<String, Boolean> matches = new HashMap<>();

        ThreadsTarget(String name) {
            this.name = name;
            String self;
            try {
                self = Files.readString(Path.of("/proc/self/comm")).strip();
            } catch (IOException e) {
                self = "";
            }
            this.unnamed = self;
        }

        @Override
        public String identity() {
            return name;
        }

        @Override
        public OsCounters read() throws IOException, ProbeException {
            Map<String, Boolean> now = new HashMap<>();
            OsCounters c = new OsCounters();
            try (java.util.stream.Stream<Path> tasks = Files.list(TASKS)) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    String tid = task.getFileName().toString();
                    try {
                        Boolean match = matches.get(tid);
                        if (match == null) {
                            String comm = Files.readString(task.resolve("comm")).strip();
                            match = comm.equals(name) || comm.startsWith(name + "-");
                            if (!comm.equals(unnamed)) {
                                now.put(tid, match);
                            }
                        } else {
                            now.put(tid, match);
                        }
                        if (match) {
                            c.addThread(task);
                        }
                    } catch (IOException e) {
                        if (!OsCounters.ended(e)) {
                            throw e;
                        }
                        // the thread ended between the listing and the read
                    }
                }
            }
            matches = now;
            if (c.gauges.isEmpty()) {
                throw new ProbeException("no thread of this process is named " + name);
            }
            return c;
        }

        @Override
        public String toString() {
            return "threads:" + name;
        }
    }

    record NetnsTarget(String name) implements Target {
        private static final long TIMEOUT_S = 5;
        private static final String SNMP_MARK = "#d2r2-snmp";
        private static final String SNMP6_MARK = "#d2r2-snmp6";

        /** The texts after each line {@code mark} (up to the next marker line): one per reading of a file. */
        static List<String> copies(String out, String mark) {
            List<String> copies = new ArrayList<>();
            for (int at = out.indexOf(mark + "\n"); at >= 0; at = out.indexOf(mark + "\n", at + 1)) {
                int from = at + mark.length() + 1;
                int next = out.indexOf("\n#d2r2-snmp", from - 1);
                copies.add(out.substring(from, next < 0 ? out.length() : next + 1));
            }
            while (copies.size() < OsCounters.SNMP_READINGS) {
                copies.add("");
            }
            return copies;
        }

        @Override
        public String identity() {
            return name;
        }

        @Override
        public OsCounters read() throws IOException, ProbeException {
            // one process for the files, each SNMP file read SNMP_READINGS times in a row (OsCounters.settled), the
            // copies after a marker line; /proc/net/snmp6 is absent when IPv6 is disabled
            String readings = "for i in " + "x ".repeat(OsCounters.SNMP_READINGS).strip() + "; do echo '" + SNMP_MARK + "'; cat /proc/net/snmp; done; "
                    + "for i in " + "x ".repeat(OsCounters.SNMP_READINGS).strip() + "; do echo '" + SNMP6_MARK + "'; cat /proc/net/snmp6 2>/dev/null || true; done";
            Process p = new ProcessBuilder("ip", "netns", "exec", name, "sh", "-c", "cat /proc/net/dev && " + readings)
                    .redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new ProbeException("netns " + name + ": " + out.strip());
                }
                OsCounters c = new OsCounters();
                int first = out.indexOf(SNMP_MARK + "\n");
                c.addNetDev(first < 0 ? out : out.substring(0, first));
                c.addNetSnmp(OsCounters.settled(copies(out, SNMP_MARK).iterator()::next, OsCounters::filteredIpv4));
                String snmp6 = OsCounters.settled(copies(out, SNMP6_MARK).iterator()::next, OsCounters::filteredIpv6);
                if (!snmp6.isBlank()) {
                    c.addNetSnmp6(snmp6);
                }
                return c;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProbeException("netns " + name + ": interrupted", e);
            } finally {
                p.destroy();
            }
        }
    }

    OsProbe(Target target) {
        this.target = target;
    }

    @Override
    public synchronized Measurement measure(Duration timeout) throws ProbeException {
        try {
            String identity = target.identity();
            OsCounters now = target.read();
            long nanos = System.nanoTime();
            Map<String, Double> values = new HashMap<>(now.gauges);
            if (identity.equals(lastIdentity) && nanos > lastNanos) {
                double seconds = (nanos - lastNanos) / 1e9;
                now.counters.forEach((key, count) -> {
                    Double before = lastCounters.get(key);
                    if (before != null) {
                        values.put(key, Math.max(0, count - before) / seconds);
                    }
                });
            }
            lastIdentity = identity;
            lastCounters = now.counters;
            lastNanos = nanos;
            return Measurement.of(values);
        } catch (IOException | RuntimeException e) {
            lastIdentity = null;
            throw new ProbeException("os " + target + ": " + e, e);
        }
    }

    public static final class Kind implements ProbeKind {
        @Override
        public String key() {
            return "os";
        }

        @Override
        public Duration defaultInterval() {
            return Duration.ofSeconds(1);
        }

        @Override
        public void validate(ProbeConfig c) {
            c.requireOnly("target");
            Target.parse(c.requireTarget("pid:N, name:COMM, cgroup:PATH, netns:NAME or threads:NAME"));
        }

        @Override
        public Probe create(ProbeConfig c) {
            return new OsProbe(Target.parse(c.target()));
        }
    }
}
