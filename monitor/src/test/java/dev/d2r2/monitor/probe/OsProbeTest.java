package dev.d2r2.monitor.probe;

import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.ProbeConfig;
import dev.d2r2.monitor.ProbeKinds;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The os probe against real processes, a real cgroup and a real network namespace of this machine. */
class OsProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String RATE_FREE = "rates come from two measurements";

    private static ProbeConfig config(String target) {
        return new ProbeConfig("os", null, target, null, null, null, null, null, null, null);
    }

    private static Probe probe(String target) {
        return ProbeKinds.of("os").create(config(target));
    }

    private static Process burner() throws IOException {
        return new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    }

    private static Process idler() throws IOException {
        return new ProcessBuilder("sleep", "60").start();
    }

    private static Duration cpu(Process p) {
        return p.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    @Test
    void theTestJvmHasGaugesAtOnceAndRatesFromItsSecondMeasurement(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Probe self = probe("pid:" + ProcessHandle.current().pid());
        Map<String, Double> first = self.measure(TIMEOUT).values();
        assertThat(first.get("rss_bytes")).isPositive();
        assertThat(first.get("fds")).isPositive();
        assertThat(first.get("threads")).isGreaterThan(1);
        assertThat(first).as(RATE_FREE).doesNotContainKey("cpu_user_pct");
        try (FileChannel f = FileChannel.open(dir.resolve("w"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < 50; i++) {
                f.write(ByteBuffer.wrap(new byte[512]));
            }
        }
        Map<String, Double> second = self.measure(TIMEOUT).values();
        assertThat(second).containsKeys("cpu_pct", "cpu_user_pct", "cpu_system_pct", "runq_wait_pct", "minor_faults_per_s",
                "major_faults_per_s", "ctx_switches_per_s", "disk_read_bytes_per_s", "disk_write_bytes_per_s",
                "disk_read_ops_per_s", "disk_write_ops_per_s");
        assertThat(second.get("disk_write_ops_per_s")).as("50 write calls").isPositive();
        assertThat(second.get("ctx_switches_per_s")).isPositive();
        assertThat(second.values()).allMatch(v -> v >= 0 && Double.isFinite(v));
    }

    @Test
    void aChildBurningCpuShowsItsCoreAndAnIdleOneDoesNot() throws Exception {
        Process burn = burner();
        Process idle = idler();
        try {
            Probe hot = probe("pid:" + burn.pid());
            Probe cold = probe("pid:" + idle.pid());
            hot.measure(TIMEOUT);
            cold.measure(TIMEOUT);
            Duration from = cpu(burn);
            await().atMost(Duration.ofSeconds(20)).until(() -> cpu(burn).minus(from).toMillis() >= 500);
            Map<String, Double> hotValues = hot.measure(TIMEOUT).values();
            Map<String, Double> coldValues = cold.measure(TIMEOUT).values();
            double hotCpu = hotValues.get("cpu_user_pct") + hotValues.get("cpu_system_pct");
            assertThat(hotCpu).isGreaterThan(10);
            assertThat(coldValues.get("cpu_user_pct")).isLessThan(hotCpu);
            assertThat(hotValues.get("cpu_pct")).as("scheduler time of a busy loop").isGreaterThan(10);
            assertThat(coldValues.get("cpu_pct")).isLessThan(hotValues.get("cpu_pct"));
        } finally {
            burn.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            idle.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void threadsOfThisProcessAreMeasuredByTheirName() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.CountDownLatch idle = new java.util.concurrent.CountDownLatch(1);
        Thread hot = Thread.ofPlatform().name("d2r2-dg-hot").start(() -> {
            while (spin.get()) {
                Thread.onSpinWait();
            }
        });
        Thread hotToo = Thread.ofPlatform().name("d2r2-dg-hot-too").start(() -> park(idle));
        Thread cold = Thread.ofPlatform().name("d2r2-dg-cold").start(() -> park(idle));
        try {
            Probe hotProbe = probe("threads:d2r2-dg-hot");
            Probe coldProbe = probe("threads:d2r2-dg-cold");
            assertThat(hotProbe.measure(TIMEOUT).values()).as(RATE_FREE).containsOnlyKeys("threads");
            coldProbe.measure(TIMEOUT);
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long from = mx.getThreadCpuTime(hot.threadId());
            await().atMost(Duration.ofSeconds(20)).until(() -> mx.getThreadCpuTime(hot.threadId()) - from >= 500_000_000L);
            Map<String, Double> h = hotProbe.measure(TIMEOUT).values();
            Map<String, Double> c = coldProbe.measure(TIMEOUT).values();
            assertThat(h.get("threads")).as("d2r2-dg-hot and d2r2-dg-hot-too, not d2r2-dg-cold").isEqualTo(2);
            assertThat(c.get("threads")).isEqualTo(1);
            assertThat(h.get("cpu_pct")).as("scheduler time of the spinning thread").isGreaterThan(10);
            assertThat(c.get("cpu_pct")).isLessThan(h.get("cpu_pct") / 10);
            assertThat(h).containsKeys("cpu_user_pct", "cpu_system_pct", "runq_wait_pct", "ctx_switches_per_s", "minor_faults_per_s")
                    .doesNotContainKeys("rss_bytes", "fds");
        } finally {
            spin.set(false);
            idle.countDown();
            hot.join();
            hotToo.join();
            cold.join();
        }
        // a joined thread's kernel task (its /proc entry) may outlive the join for a moment
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> probe("threads:d2r2-dg-hot").measure(TIMEOUT))
                .isInstanceOf(ProbeException.class).hasMessageContaining("no thread of this process is named d2r2-dg-hot"));
    }

    private static void park(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aCgroupSumsItsProcessesAndUsesItsOwnCpuAccounting() throws Exception {
        Path cpuacct = OsProbe.CGROUP_ROOT.resolve("cpuacct");
        assumeTrue(Files.isWritable(cpuacct), "needs a writable cgroup v1 cpuacct hierarchy");
        String group = "d2r2-diag-os-" + ProcessHandle.current().pid();
        Path dir = Files.createDirectory(cpuacct.resolve(group));
        Process burn = burner();
        try {
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(burn.pid()));
            Probe p = probe("cgroup:" + group);
            assertThat(p.measure(TIMEOUT).values()).containsKeys("rss_bytes", "fds").doesNotContainKey("cpu_user_pct");
            Duration from = cpu(burn);
            await().atMost(Duration.ofSeconds(20)).until(() -> cpu(burn).minus(from).toMillis() >= 500);
            Map<String, Double> v = p.measure(TIMEOUT).values();
            assertThat(v.get("cpu_user_pct") + v.get("cpu_system_pct")).isGreaterThan(10);
            assertThat(v.get("cpu_pct")).isGreaterThan(10);
        } finally {
            burn.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("cgroup.procs")).isBlank());
            Files.delete(dir);
        }
        assertThatThrownBy(() -> probe("cgroup:" + group).measure(TIMEOUT)).isInstanceOf(ProbeException.class)
                .hasMessageContaining("no cgroup");
    }

    @Test
    void aCgroupHeldBackByItsCpuQuotaShowsItsThrottlingAndAFreeOneNone() throws Exception {
        Path cpu = OsProbe.CGROUP_ROOT.resolve("cpu");
        Path cpuacct = OsProbe.CGROUP_ROOT.resolve("cpuacct");
        assumeTrue(Files.isWritable(cpu) && Files.isWritable(cpuacct), "needs writable cgroup v1 cpu and cpuacct hierarchies");
        String group = "d2r2-diag-quota-" + ProcessHandle.current().pid();
        List<Path> dirs = List.of(Files.createDirectories(cpu.resolve(group)), Files.createDirectories(cpuacct.resolve(group)));
        Process burn = burner();
        try {
            for (Path d : dirs) {
                Files.writeString(d.resolve("cgroup.procs"), Long.toString(burn.pid()));
            }
            Probe p = probe("cgroup:" + group);
            p.measure(TIMEOUT);
            Duration from = cpu(burn);
            await().atMost(Duration.ofSeconds(20)).until(() -> cpu(burn).minus(from).toMillis() >= 300);
            assertThat(p.measure(TIMEOUT).values()).as("no quota").containsEntry("throttled_pct", 0.0)
                    .containsEntry("throttled_periods_per_s", 0.0);
            Files.writeString(dirs.getFirst().resolve("cpu.cfs_quota_us"), "10000");
            Path stat = dirs.getFirst().resolve("cpu.stat");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(stat).contains("nr_throttled ")
                    && !Files.readString(stat).contains("nr_throttled 0\n"));
            Map<String, Double> v = p.measure(TIMEOUT).values();
            assertThat(v.get("throttled_pct")).as("a 10 %% quota on a busy loop").isPositive();
            assertThat(v.get("throttled_periods_per_s")).isPositive();
        } finally {
            burn.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            for (Path d : dirs) {
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(d.resolve("cgroup.procs")).isBlank());
                Files.delete(d);
            }
        }
    }

    @Test
    void aNetworkNamespaceCountsThePacketsItReceivesAndThoseItsFirewallDrops() throws Exception {
        assumeTrue(run("ip", "netns", "list") == 0, "needs ip netns");
        String id = Long.toString(ProcessHandle.current().pid() % 100_000);
        // interface names hold at most 15 characters
        String ns = "d2r2-diag-ns" + id;
        String host = "d2r2diagh" + id;
        String inner = "d2r2diagi" + id;
        assumeTrue(run("ip", "netns", "add", ns) == 0, "needs to create a network namespace");
        try {
            sh("ip link add " + host + " type veth peer name " + inner + " netns " + ns,
                    "ip addr add 10.251.7.1/30 dev " + host, "ip link set " + host + " up",
                    "ip -n " + ns + " addr add 10.251.7.2/30 dev " + inner, "ip -n " + ns + " link set " + inner + " up");
            Probe p = probe("netns:" + ns);
            assertThat(p.measure(TIMEOUT).values()).isEmpty();
            sh("ping -c 5 -i 0.2 -W 1 10.251.7.2");
            Map<String, Double> v = p.measure(TIMEOUT).values();
            assertThat(v.get("net_rx_packets_per_s")).isPositive();
            assertThat(v.get("net_tx_packets_per_s")).isPositive();
            assertThat(v.get("net_rx_bytes_per_s")).isGreaterThan(v.get("net_rx_packets_per_s"));
            assertThat(v).containsKeys("net_rx_drops_per_s", "net_tx_drops_per_s", "net_tx_bytes_per_s");
            assertThat(v.get("net_rx_undelivered_per_s")).as("pings are no UDP").isZero();
            assertThat(v.get("net_rx_filtered_per_s")).as("no firewall").isZero();
            sh("python3 -c \"import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                    + "[s.sendto(b'x', ('10.251.7.2', 9)) for _ in range(40)]\"");
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(p.measure(TIMEOUT).values().get("net_rx_undelivered_per_s"))
                    .as("datagrams to a port with no socket").isPositive());
            assertThat(p.measure(TIMEOUT).values().get("net_rx_filtered_per_s")).as("refused by no socket, not filtered").isZero();
            sh("ip netns exec " + ns + " nft add table inet d2r2diag",
                    "ip netns exec " + ns + " nft add chain inet d2r2diag in '{ type filter hook input priority 0; policy accept; }'",
                    "ip netns exec " + ns + " nft add rule inet d2r2diag in icmp type echo-request numgen random mod 100 '<' 50 drop");
            run("ping", "-c", "10", "-i", "0.2", "-W", "1", "10.251.7.2");
            Map<String, Double> dropped = p.measure(TIMEOUT).values();
            assertThat(dropped.get("net_rx_filtered_per_s")).as("half the pings dropped by nftables").isPositive();
            assertThat(dropped.get("net_rx_drops_per_s")).as("which the interface does not count").isZero();
        } finally {
            run("ip", "link", "del", host);
            run("ip", "netns", "del", ns);
        }
        assertThatThrownBy(() -> probe("netns:" + ns).measure(TIMEOUT)).isInstanceOf(ProbeException.class);
    }

    @Test
    void aNetworkNamespaceCountsTheIpv6DatagramsItsFirewallDropsAndThoseNoSocketTakes() throws Exception {
        assumeTrue(run("ip", "netns", "list") == 0, "needs ip netns");
        String ns = "d2r2-diag-v6-" + ProcessHandle.current().pid() % 100_000;
        assumeTrue(run("ip", "netns", "add", ns) == 0, "needs to create a network namespace");
        try {
            sh("ip -n " + ns + " link set lo up");
            assumeTrue(run("ip", "netns", "exec", ns, "test", "-f", "/proc/net/snmp6") == 0, "needs IPv6");
            Probe p = probe("netns:" + ns);
            p.measure(TIMEOUT);
            sendUdp6(ns, 10, 20);
            Map<String, Double> refused = p.measure(TIMEOUT).values();
            assertThat(refused.get("net_rx_undelivered_per_s")).as("IPv6 datagrams to a port with no socket").isPositive();
            assertThat(refused.get("net_rx_filtered_per_s")).as("refused by no socket, not filtered").isZero();
            sh("ip netns exec " + ns + " nft add table inet d2r2diag6",
                    "ip netns exec " + ns + " nft add chain inet d2r2diag6 in '{ type filter hook input priority 0; policy accept; }'",
                    "ip netns exec " + ns + " nft add rule inet d2r2diag6 in meta nfproto ipv6 udp dport 9 drop");
            sendUdp6(ns, 9, 40);
            Map<String, Double> dropped = p.measure(TIMEOUT).values();
            assertThat(dropped.get("net_rx_filtered_per_s")).as("IPv6 datagrams dropped by nftables").isPositive();
            assertThat(dropped.get("net_rx_undelivered_per_s")).as("which no socket refused").isZero();
        } finally {
            run("ip", "netns", "del", ns);
        }
    }

    /** Datagrams from inside the namespace to its own ::1, port {@code port}. */
    private static void sendUdp6(String ns, int port, int count) throws IOException, InterruptedException {
        sh("ip netns exec " + ns + " python3 -c \"import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); "
                + "[s.sendto(b'x', ('::1', " + port + ")) for _ in range(" + count + ")]\"");
    }

    @Test
    void ipv6CountsUnicastOnlyAndItsUdpTwinsAreUndelivered() {
        OsCounters c = new OsCounters();
        // 1000 received, 300 of them multicast (some to groups not joined, dropped uncounted); 600 delivered, 2 forwarded,
        // 3 with no route, 1 truncated, 1 discarded, 4 fragments reassembled into 2: 1000 - 300 - 600 - 2 - 3 - 1 - 1 - (4 - 2) = 91
        c.addNetSnmp6("""
                Ip6InReceives                   \t1000
                Ip6InHdrErrors                  \t0
                Ip6InTooBigErrors               \t0
                Ip6InNoRoutes                   \t3
                Ip6InTruncatedPkts              \t1
                Ip6InDiscards                   \t1
                Ip6InDelivers                   \t600
                Ip6OutForwDatagrams             \t2
                Ip6ReasmReqds                   \t4
                Ip6ReasmOKs                     \t2
                Ip6InMcastPkts                  \t300
                Udp6InDatagrams                 \t500
                Udp6NoPorts                     \t7
                Udp6InErrors                    \t5
                Udp6RcvbufErrors                \t5
                """);
        assertThat(c.counters).containsEntry(OsCounters.NET_RX_FILTERED, 91.0).containsEntry(OsCounters.NET_RX_UNDELIVERED, 12.0);
        OsCounters both = new OsCounters();
        both.addNetSnmp("Ip: InReceives InDelivers\nIp: 10 7\n");
        both.addNetSnmp6("Ip6InReceives 5\nIp6InDelivers 1\n");
        assertThat(both.counters).as("IPv4 and IPv6 summed").containsEntry(OsCounters.NET_RX_FILTERED, 7.0);
        OsCounters none = new OsCounters();
        none.addNetSnmp6("Icmp6InMsgs 3\n");
        assertThat(none.counters).isEmpty();
    }

    @Test
    void undeliveredDatagramsAreInErrorsAndNoPortsWithoutCountingABufferOverrunTwice() {
        OsCounters c = new OsCounters();
        c.addNetSnmp("""
                Ip: Forwarding DefaultTTL
                Ip: 1 64
                Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
                Udp: 1910749 1598 42708 1919356 42708 0 0 0 0
                UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
                UdpLite: 7 7 7 7 7 0 0 0 0
                """);
        assertThat(c.counters).containsEntry(OsCounters.NET_RX_UNDELIVERED, 1598.0 + 42708.0);
        OsCounters none = new OsCounters();
        none.addNetSnmp("Ip: Forwarding\nIp: 1\n");
        assertThat(none.counters).isEmpty();
    }

    @Test
    void filteredPacketsAreThoseReceivedButNeitherDeliveredForwardedNorCountedAsErrorsAndFragmentsCountOnce() {
        OsCounters c = new OsCounters();
        // 1000 received: 880 delivered (one of them reassembled from 3 fragments), 5 forwarded, 4 header errors, 3 bad
        // addresses, 2 unknown protocols, 1 discard: 1000 - 880 - 5 - 4 - 3 - 2 - 1 - (3 - 1) = 103 filtered
        c.addNetSnmp("""
                Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests ReasmReqds ReasmOKs ReasmFails
                Ip: 2 64 1000 4 3 5 2 1 880 900 3 1 0
                Icmp: InMsgs InErrors
                Icmp: 7 0
                """);
        assertThat(c.counters).containsEntry(OsCounters.NET_RX_FILTERED, 103.0).doesNotContainKey(OsCounters.NET_RX_UNDELIVERED);
    }

    @Test
    void badTargetsAreRefusedAtConfigAndAGoneProcessAtMeasurement() {
        for (String bad : new String[]{"1234", "pid:abc", "cgroup:../etc", "netns:a b", "disk:/", "pid:",
                "threads:sixteen-letters-", "threads:a/b"}) {
            assertThatThrownBy(() -> config(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("os probe target");
        }
        assertThatThrownBy(() -> new ProbeConfig("os", null, null, null, null, null, null, null, null, null))
                .hasMessageContaining("needs a target");
        assertThat(config("pid:1").interval()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> probe("name:no-such-process-d2r2").measure(TIMEOUT)).isInstanceOf(ProbeException.class);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private static void sh(String... commands) throws IOException, InterruptedException {
        for (String c : commands) {
            assertThat(run("sh", "-c", c)).as(c).isZero();
        }
    }

    /** A thread that exits between the listing and the read answers ESRCH, not ENOENT: it ended, like one already gone. */
    @Test
    void aProcessOrThreadExitingWhileReadIsTakenAsEndedAndOtherErrorsAreNot() {
        assertThat(OsCounters.ended(new java.nio.file.NoSuchFileException("/proc/self/task/1/comm"))).isTrue();
        assertThat(OsCounters.ended(new IOException("No such process"))).isTrue();
        assertThat(OsCounters.ended(new IOException("Permission denied"))).isFalse();
    }

    @Test
    void aPacketInFlightWhileTheCountersAreReadIsNotTakenForAFilteredOne() throws Exception {
        // the first reading catches a packet received and not yet delivered: 11 received, 10 delivered
        java.util.Iterator<String> readings = List.of("Ip: InReceives InDelivers\nIp: 11 10\n", "Ip: InReceives InDelivers\nIp: 11 11\n",
                "Ip: InReceives InDelivers\nIp: 12 12\n").iterator();
        String settled = OsCounters.settled(readings::next, OsCounters::filteredIpv4);
        assertThat(OsCounters.filteredIpv4(settled)).isZero();
        assertThat(readings.hasNext()).as("two readings alike end it").isFalse();
        java.util.Iterator<String> steady = List.of("Ip: InReceives InDelivers\nIp: 20 17\n", "Ip: InReceives InDelivers\nIp: 21 18\n",
                "Ip: InReceives InDelivers\nIp: 30 30\n").iterator();
        assertThat(OsCounters.filteredIpv4(OsCounters.settled(steady::next, OsCounters::filteredIpv4)))
                .as("packets really filtered stay counted").isEqualTo(3L);
        assertThat(steady.hasNext()).isTrue();
    }

    @Test
    void aNamespacesOutputIsSplitIntoItsReadingsOfEachFile() {
        String out = "Inter-|   Receive\n lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
                + "#d2r2-snmp\nIp: InReceives InDelivers\nIp: 11 10\n#d2r2-snmp\nIp: InReceives InDelivers\nIp: 11 11\n"
                + "#d2r2-snmp\nIp: InReceives InDelivers\nIp: 11 11\n#d2r2-snmp6\n#d2r2-snmp6\n#d2r2-snmp6\n";
        assertThat(OsProbe.NetnsTarget.copies(out, "#d2r2-snmp")).containsExactly("Ip: InReceives InDelivers\nIp: 11 10\n",
                "Ip: InReceives InDelivers\nIp: 11 11\n", "Ip: InReceives InDelivers\nIp: 11 11\n");
        assertThat(OsProbe.NetnsTarget.copies(out, "#d2r2-snmp6")).containsExactly("", "", "");
    }
}
