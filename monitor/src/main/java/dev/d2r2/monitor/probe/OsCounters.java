package dev.d2r2.monitor.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The OS counters (cumulative) and gauges (instantaneous) of a target at one instant, read from
 * {@code /proc} and cgroup v1 files. A counter is keyed by the name of its rate: the CPU times are
 * kept in hundredths of a second, so that their rate per second is a percentage of one core.
 */
final class OsCounters {
    /** CPU time from the scheduler's nanosecond accounting: far finer than the user and system ticks (10 ms). */
    static final String CPU = "cpu_pct";
    static final String CPU_USER = "cpu_user_pct";
    static final String CPU_SYSTEM = "cpu_system_pct";
    static final String RUNQ_WAIT = "runq_wait_pct";
    static final String MINOR_FAULTS = "minor_faults_per_s";
    static final String MAJOR_FAULTS = "major_faults_per_s";
    static final String CTX_SWITCHES = "ctx_switches_per_s";
    static final String READ_BYTES = "disk_read_bytes_per_s";
    static final String WRITE_BYTES = "disk_write_bytes_per_s";
    static final String READ_OPS = "disk_read_ops_per_s";
    static final String WRITE_OPS = "disk_write_ops_per_s";
    static final String RSS = "rss_bytes";
    static final String FDS = "fds";
    static final String THREADS = "threads";
    /** {@code /proc/net/dev} columns after the interface name, by the rate they give. */
    private static final Map<String, Integer> NET_COLUMNS = Map.of("net_rx_bytes_per_s", 0, "net_rx_packets_per_s", 1,
            "net_rx_drops_per_s", 3, "net_tx_bytes_per_s", 8, "net_tx_packets_per_s", 9, "net_tx_drops_per_s", 11);
    /**
     * UDP datagrams, over IPv4 and IPv6, that reached the namespace but no socket: {@code
     * /proc/net/snmp}'s {@code InErrors} (a full receive buffer, {@code RcvbufErrors}, is one of
     * them, so it is not added again) and {@code NoPorts} (no socket bound), and their {@code Udp6}
     * twins in {@code /proc/net/snmp6}. A hung or overwhelmed server shows here before anywhere else.
     */
    static final String NET_RX_UNDELIVERED = "net_rx_undelivered_per_s";
    private static final List<String> UNDELIVERED_COLUMNS = List.of("InErrors", "NoPorts");
    private static final List<String> UNDELIVERED6 = List.of("Udp6InErrors", "Udp6NoPorts");
    /**
     * IP packets that reached the namespace's IP layer ({@code InReceives}) but were neither
     * delivered to a protocol ({@code InDelivers}), forwarded, nor counted as an error or discard:
     * dropped by its firewall (nftables, iptables, ip6tables) on the way in, which no interface or
     * socket counter sees. Fragments count one each on receipt and once delivered, reassembled: the
     * fragments ({@code ReasmReqds}) less the datagrams reassembled ({@code ReasmOKs}) are accounted
     * too. IPv6 counts unicast only: the kernel drops multicast to a group the namespace has not
     * joined (other hosts' MLD reports, router solicitations) without counting it anywhere, so
     * {@code Ip6InMcastPkts} is accounted as a whole; a multicast packet delivered (a neighbour
     * solicitation) then hides one filtered packet of the same measurement.
     */
    static final String NET_RX_FILTERED = "net_rx_filtered_per_s";
    /** At most how many readings of a namespace's SNMP counters make one measurement ({@link #settled}). */
    static final int SNMP_READINGS = 3;
    private static final IpCounters IPV4 = new IpCounters("InReceives", "InDelivers", "ReasmOKs",
            List.of("ForwDatagrams", "InHdrErrors", "InAddrErrors", "InUnknownProtos", "InDiscards", "ReasmReqds"));
    private static final IpCounters IPV6 = new IpCounters("Ip6InReceives", "Ip6InDelivers", "Ip6ReasmOKs",
            List.of("Ip6OutForwDatagrams", "Ip6InHdrErrors", "Ip6InTooBigErrors", "Ip6InNoRoutes", "Ip6InAddrErrors",
                    "Ip6InUnknownProtos", "Ip6InTruncatedPkts", "Ip6InDiscards", "Ip6ReasmReqds", "Ip6InMcastPkts"));

    /** The names one IP version gives the counters of {@link #NET_RX_FILTERED}. */
    private record IpCounters(String received, String delivered, String reassembled, List<String> accounted) {
        /** Received less accounted, or null when the table lacks the counters. */
        Long filtered(Map<String, Long> table) {
            if (!table.containsKey(received) || !table.containsKey(delivered)) {
                return null;
            }
            long done = table.get(delivered) + accounted.stream().mapToLong(c -> table.getOrDefault(c, 0L)).sum()
                    - table.getOrDefault(reassembled, 0L);
            return table.get(received) - done;
        }
    }
    /**
     * Time the cgroup's tasks were held back by its CPU quota ({@code cpu.stat} {@code
     * throttled_time}), as a percentage of one core like {@link #CPU}, and the quota periods in
     * which it was ({@code nr_throttled}): a peer slowed by its quota may use less CPU than its
     * peers, not more, so its CPU alone does not show the fault.
     */
    static final String THROTTLED = "throttled_pct";
    static final String THROTTLED_PERIODS = "throttled_periods_per_s";
    private static final double TICKS_PER_SECOND = 100;
    private static final double PAGE_BYTES = 4096;
    private static final double NANOS_PER_CENTISECOND = 1e7;

    final Map<String, Double> counters = new HashMap<>();
    final Map<String, Double> gauges = new HashMap<>();

    private void count(String key, double value) {
        counters.merge(key, value, Double::sum);
    }

    private void gauge(String key, double value) {
        gauges.merge(key, value, Double::sum);
    }

    /** Adds one process: {@code stat}, {@code io}, its threads' {@code schedstat} and {@code status}, its fds. */
    void addProcess(long pid) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        String stat = Files.readString(proc.resolve("stat"));
        // Fields after the command, which may hold spaces: state is [0], minflt [7], majflt [9], utime [11], stime [12], threads [17], rss [21].
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        count(CPU_USER, Long.parseLong(f[11]) * 100 / TICKS_PER_SECOND);
        count(CPU_SYSTEM, Long.parseLong(f[12]) * 100 / TICKS_PER_SECOND);
        count(MINOR_FAULTS, Long.parseLong(f[7]));
        count(MAJOR_FAULTS, Long.parseLong(f[9]));
        gauge(THREADS, Long.parseLong(f[17]));
        gauge(RSS, Long.parseLong(f[21]) * PAGE_BYTES);
        for (String line : Files.readAllLines(proc.resolve("io"))) {
            String[] kv = line.split(":\\s*");
            switch (kv[0]) {
                case "read_bytes" -> count(READ_BYTES, Long.parseLong(kv[1]));
                case "write_bytes" -> count(WRITE_BYTES, Long.parseLong(kv[1]));
                case "syscr" -> count(READ_OPS, Long.parseLong(kv[1]));
                case "syscw" -> count(WRITE_OPS, Long.parseLong(kv[1]));
                default -> {
                }
            }
        }
        addThreads(proc);
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            gauge(FDS, fds.count());
        }
    }

    /**
     * Whether reading a process's or a thread's file failed because it ended since it was listed:
     * its directory is gone, or it is exiting, when the kernel answers ESRCH.
     */
    static boolean ended(IOException e) {
        return e instanceof NoSuchFileException || "No such process".equals(e.getMessage());
    }

    /** Run-queue wait and context switches are per thread: the process's own files show only its main thread. */
    private void addThreads(Path proc) throws IOException {
        List<Path> tasks;
        try (Stream<Path> s = Files.list(proc.resolve("task"))) {
            tasks = s.toList();
        }
        for (Path task : tasks) {
            try {
                addSchedule(task);
            } catch (IOException e) {
                if (!ended(e)) {
                    throw e;
                }
                // the thread ended between the listing and the read
            }
        }
    }

    private void addSchedule(Path task) throws IOException {
        String[] sched = Files.readString(task.resolve("schedstat")).strip().split(" ");
        count(CPU, Long.parseLong(sched[0]) / NANOS_PER_CENTISECOND);
        count(RUNQ_WAIT, Long.parseLong(sched[1]) / NANOS_PER_CENTISECOND);
        for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                count(CTX_SWITCHES, Long.parseLong(line.substring(line.indexOf(':') + 1).strip()));
            }
        }
    }

    /** Adds one thread ({@code /proc/PID/task/TID}): its CPU, faults, run-queue wait and context switches, and 1 to {@code threads}. */
    void addThread(Path task) throws IOException {
        String stat = Files.readString(task.resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        count(CPU_USER, Long.parseLong(f[11]) * 100 / TICKS_PER_SECOND);
        count(CPU_SYSTEM, Long.parseLong(f[12]) * 100 / TICKS_PER_SECOND);
        count(MINOR_FAULTS, Long.parseLong(f[7]));
        count(MAJOR_FAULTS, Long.parseLong(f[9]));
        addSchedule(task);
        gauge(THREADS, 1);
    }

    /** Adds the interfaces of {@code /proc/net/dev} text but loopback. */
    void addNetDev(String text) {
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.substring(0, colon).strip().equals("lo")) {
                continue;
            }
            String[] cols = line.substring(colon + 1).strip().split("\\s+");
            NET_COLUMNS.forEach((key, col) -> count(key, Long.parseLong(cols[col])));
        }
    }

    /**
     * Adds from {@code /proc/net/snmp} text the UDP datagrams not delivered and the IPv4 packets
     * filtered: each protocol's header line ({@code Udp: InDatagrams NoPorts ...}) names the
     * columns of the line after it. Text without a protocol adds nothing for it.
     */
    void addNetSnmp(String text) {
        Map<String, Long> udp = snmpTables(text).get("Udp");
        if (udp != null) {
            count(NET_RX_UNDELIVERED, UNDELIVERED_COLUMNS.stream().mapToLong(c -> udp.getOrDefault(c, 0L)).sum());
        }
        Long filtered = filteredIpv4(text);
        if (filtered != null) {
            count(NET_RX_FILTERED, filtered);
        }
    }

    /**
     * Adds from {@code /proc/net/snmp6} text (a counter a line: {@code Ip6InReceives 54}) the UDP
     * datagrams not delivered and the IPv6 packets filtered. Text without them adds nothing.
     */
    void addNetSnmp6(String text) {
        Map<String, Long> table = snmp6Table(text);
        if (table.keySet().containsAll(UNDELIVERED6)) {
            count(NET_RX_UNDELIVERED, UNDELIVERED6.stream().mapToLong(table::get).sum());
        }
        Long filtered = IPV6.filtered(table);
        if (filtered != null) {
            count(NET_RX_FILTERED, filtered);
        }
    }

    /** The {@code /proc/net/snmp6} counters: one a line, name and value. */
    private static Map<String, Long> snmp6Table(String text) {
        Map<String, Long> table = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2) {
                table.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return table;
    }

    /** The IPv4 packets filtered that {@code /proc/net/snmp} text counts, or null. */
    static Long filteredIpv4(String snmp) {
        Map<String, Long> ip = snmpTables(snmp).get("Ip");
        return ip == null ? null : IPV4.filtered(ip);
    }

    /** The IPv6 packets filtered that {@code /proc/net/snmp6} text counts, or null. */
    static Long filteredIpv6(String snmp6) {
        return IPV6.filtered(snmp6Table(snmp6));
    }

    /** One reading of a counters file. */
    interface Reading {
        String read() throws IOException;
    }

    /**
     * Of up to {@value #SNMP_READINGS} readings of {@code /proc/net/snmp} (or {@code snmp6}) taken
     * one right after another, the first whose filtered count the next one repeats, else the last.
     * The kernel sums each counter over the CPUs in turn, so a packet between its receipt and its
     * delivery while the file is read is counted received and not yet delivered — for that instant
     * it looks filtered, and the next measurement takes it back. One such reading, held as a fault
     * rate is, indicted a healthy server in a fault-free run; two readings alike, microseconds
     * apart, do not catch a packet in flight.
     */
    static String settled(Reading reading, java.util.function.Function<String, Long> filtered) throws IOException {
        String last = reading.read();
        for (int i = 1; i < SNMP_READINGS; i++) {
            String next = reading.read();
            if (java.util.Objects.equals(filtered.apply(last), filtered.apply(next))) {
                return next;
            }
            last = next;
        }
        return last;
    }

    /** The {@code /proc/net/snmp} tables by protocol: each header line, then its values line. */
    private static Map<String, Map<String, Long>> snmpTables(String text) {
        Map<String, Map<String, Long>> tables = new HashMap<>();
        Map<String, String[]> headers = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon < 0) {
                continue;
            }
            String protocol = line.substring(0, colon);
            String[] cols = line.substring(colon + 2).strip().split("\\s+");
            String[] header = headers.remove(protocol);
            if (header == null) {
                headers.put(protocol, cols);
                continue;
            }
            Map<String, Long> values = new HashMap<>();
            for (int i = 0; i < header.length && i < cols.length; i++) {
                values.put(header[i], Long.parseLong(cols[i]));
            }
            tables.putIfAbsent(protocol, values);
        }
        return tables;
    }

    /** The process's own network namespace, when it is not this one's: host-wide traffic says nothing of one peer. */
    void addNetworkOfProcess(long pid) throws IOException {
        Path ns = Path.of("/proc", Long.toString(pid), "ns", "net");
        if (!Files.readSymbolicLink(ns).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) {
            addNetDev(Files.readString(Path.of("/proc", Long.toString(pid), "net", "dev")));
            Path snmp = Path.of("/proc", Long.toString(pid), "net", "snmp");
            addNetSnmp(settled(() -> Files.readString(snmp), OsCounters::filteredIpv4));
            Path snmp6 = Path.of("/proc", Long.toString(pid), "net", "snmp6");
            // absent when IPv6 is disabled
            if (Files.isRegularFile(snmp6)) {
                addNetSnmp6(settled(() -> Files.readString(snmp6), OsCounters::filteredIpv6));
            }
        }
    }

    /** Replaces the summed per-process CPU and memory by the cgroup's own accounting, and adds its CPU throttling, where the controller has the group. */
    void useCgroupAccounting(Path cgroupRoot, String group) throws IOException {
        Path cpuacct = cgroupRoot.resolve("cpuacct").resolve(group);
        if (Files.isRegularFile(cpuacct.resolve("cpuacct.usage_user"))) {
            counters.put(CPU_USER, Long.parseLong(Files.readString(cpuacct.resolve("cpuacct.usage_user")).strip()) / NANOS_PER_CENTISECOND);
            counters.put(CPU_SYSTEM, Long.parseLong(Files.readString(cpuacct.resolve("cpuacct.usage_sys")).strip()) / NANOS_PER_CENTISECOND);
            counters.put(CPU, Long.parseLong(Files.readString(cpuacct.resolve("cpuacct.usage")).strip()) / NANOS_PER_CENTISECOND);
        }
        Path cpuStat = cgroupRoot.resolve("cpu").resolve(group).resolve("cpu.stat");
        if (Files.isRegularFile(cpuStat)) {
            for (String line : Files.readAllLines(cpuStat)) {
                String[] kv = line.split(" ");
                switch (kv[0]) {
                    case "throttled_time" -> counters.put(THROTTLED, Long.parseLong(kv[1]) / NANOS_PER_CENTISECOND);
                    case "nr_throttled" -> counters.put(THROTTLED_PERIODS, Double.parseDouble(kv[1]));
                    default -> {
                    }
                }
            }
        }
        Path memory = cgroupRoot.resolve("memory").resolve(group).resolve("memory.stat");
        if (Files.isRegularFile(memory)) {
            for (String line : Files.readAllLines(memory)) {
                String[] kv = line.split(" ");
                switch (kv[0]) {
                    case "total_rss" -> gauges.put(RSS, Double.parseDouble(kv[1]));
                    case "total_pgfault" -> counters.put(MINOR_FAULTS, Double.parseDouble(kv[1]));
                    case "total_pgmajfault" -> counters.put(MAJOR_FAULTS, Double.parseDouble(kv[1]));
                    default -> {
                    }
                }
            }
        }
    }
}
