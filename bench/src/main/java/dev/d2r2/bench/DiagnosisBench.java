package dev.d2r2.bench;

import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.diagnosis.Profiles;
import dev.d2r2.diagnosis.ProfilesFile;
import dev.d2r2.diagnosis.Trainer;
import dev.d2r2.diagnosis.VoteSettings;
import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.monitor.events.Sample;
import dev.d2r2.scale.SipProbe;
import dev.d2r2.sip.edge.Backend;
import dev.d2r2.sip.edge.EdgeProxy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Peer-similarity diagnosis against real faults in real SIP servers: N {@code d2r2 sip-server}
 * processes, each in a network namespace of its own on a bridge and in a cgroup of its own, behind
 * the SIP edge, SIPp calling through the edge at a fixed rate (bounded in calls and time). The
 * monitor's {@code os} probes read each server's cgroup (and its namespace) through {@code d2r2
 * run}; profiles are trained on a fault-free recording, then the diagnosis role runs: a fault-free
 * period (false indictments per peer-hour), and each fault injected in turn on server 0 (windows
 * until it is indicted, or "escaped"), held, then ended (seconds until it is cleared). Faults: cpu
 * (a busy loop inside the server's cgroup), quota (the cgroup's CPU quota lowered), disk (writes
 * with fsync inside its cgroup), leak (a process in its cgroup allocating and touching 1 MiB every
 * 50 ms), stop (SIGSTOP; SIGCONT to end), loss (nftables random drop of SIP in its namespace), rate
 * (a tbf rate cap on its side of its veth). Beside it, from the edge's per-backend counters of the
 * same calls, Envoy's success-rate outlier detection ({@link SuccessRateOutliers}) at Envoy's
 * interval: which faults it catches, and how soon.
 */
@Command(name = "diagnosis-bench", mixinStandardHelpOptions = true)
public final class DiagnosisBench implements Callable<Integer> {
    private static final String NET = "10.252.0.";
    private static final String EDGE_HOST = NET + "1";
    private static final String BRIDGE = "d2r2diag-br";
    private static final String CGROUP = "d2r2-diag";
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
    private static final List<String> CONTROLLERS = List.of("cpu", "cpuacct", "memory");
    private static final int SIP_PORT = 5060;
    private static final long CFS_PERIOD_US = 100_000;
    /** The kernel's least CPU quota in a period, and its longest period. */
    private static final long MIN_QUOTA_US = 1_000;
    private static final long MAX_PERIOD_US = 1_000_000;

    @Option(names = "--servers", defaultValue = "5") int servers;
    @Option(names = "--train", defaultValue = "60", description = "Seconds of fault-free recording to train on") int train;
    @Option(names = "--fault-free", defaultValue = "1800", description = "Seconds of fault-free diagnosis (false indictments)") int faultFree;
    @Option(names = "--faults", split = ",", defaultValue = "cpu,quota,disk,leak,stop,loss,rate") List<String> faults;
    @Option(names = "--window", defaultValue = "1000", description = "Window, ms") long windowMs;
    @Option(names = "--interval", defaultValue = "200ms", description = "OS probe interval") String interval;
    @Option(names = "--k", defaultValue = "3") int k;
    @Option(names = "--metrics", split = ",", description = "The metric set (default: the trainer's choice)") List<String> metrics = List.of();
    @Option(names = "--effect-floor", description = "The vote's absolute-effect floor (in each metric's pairwise spreads)") double effectFloor = VoteSettings.DEFAULTS.effectFloor();
    @Option(names = "--consecutive", description = "Suspect windows in a row to indict") int consecutive = VoteSettings.DEFAULTS.consecutive();
    @Option(names = "--decay", description = "Each window multiplies a peer's histogram by this") double decay = VoteSettings.DEFAULTS.decay();
    @Option(names = "--give-up", defaultValue = "20", description = "Windows after a fault's start without indictment: escaped") int giveUp;
    @Option(names = "--hold", defaultValue = "25", description = "Seconds each fault lasts at least (the success-rate detector's intervals)") int hold;
    /**
     * 200 calls/s gives each of 5 servers about 120 SIP packets a second, so the loss fault's 5 % drops
     * about 6 a second: its first window shows two or more (what one window must show to count) all
     * but about 2 % of the time, where 100 calls/s (3 drops a second) left one window in five short.
     */
    @Option(names = "--cps", defaultValue = "200", description = "SIPp calls a second through the edge") int cps;
    @Option(names = "--call-ms", defaultValue = "1000", description = "Each call's duration") int callMs;
    @Option(names = "--sr-interval", defaultValue = "10", description = "The success-rate detector's interval, s (Envoy's default)") int srInterval;
    @Option(names = "--loss", defaultValue = "5", description = "Per cent of SIP the loss fault drops") int lossPercent;
    @Option(names = "--tbf", defaultValue = "48kbit", description = "The rate fault's cap on the server's egress") String tbfRate;
    @Option(names = "--quota", defaultValue = "0.5", description = "The quota fault's CPU quota, per cent of one core (at least 0.1)")
    double quotaPercent;
    @Option(names = "--samples-out", paramLabel = "FILE",
            description = "Writes every sample of the diagnosis run (fault-free and faults), one event a line, as d2r2 subscribe prints them")
    Path samplesOut;

    /**
     * One fault's outcome: when it started and ended, the diagnosis's verdicts, and for the loss the
     * time of the first sample of server 0 that counted a drop (0: none seen).
     */
    private record Run(String fault, long from, long until, PeerIndicted indicted, Double clearedAfter, long firstDrop) {
    }

    /** The metric that counts the loss fault's drops. */
    private static final String FILTERED = "os.net_rx_filtered_per_s";

    public static void main(String[] args) {
        System.exit(new CommandLine(new DiagnosisBench()).execute(args));
    }

    private static String ns(int i) {
        return "d2r2-diag-p" + i;
    }

    private static String veth(int i, char side) {
        return "d2r2diag" + i + side;
    }

    private static String host(int i) {
        return NET + (10 + i);
    }

    private static String backend(int i) {
        return host(i) + ":" + SIP_PORT;
    }

    private static Path cgroup(String controller, int i) {
        return CGROUPS.resolve(controller).resolve(CGROUP).resolve("p" + i);
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("d2r2-diagnosis-bench");
        List<Process> procs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder services = new StringBuilder("monitor:\n  services:\n");
        long budgetS = train + faultFree + faults.size() * (giveUp * windowMs / 1000 + hold + 70L) + 120;
        Faults injected = new Faults(work);
        try {
            sh("ip link add " + BRIDGE + " type bridge", "ip addr add " + EDGE_HOST + "/24 dev " + BRIDGE, "ip link set " + BRIDGE + " up");
            List<Backend> backends = new ArrayList<>();
            for (int i = 0; i < servers; i++) {
                sh("ip netns add " + ns(i), "ip link add " + veth(i, 'h') + " type veth peer name " + veth(i, 'p') + " netns " + ns(i),
                        "ip link set " + veth(i, 'h') + " master " + BRIDGE, "ip link set " + veth(i, 'h') + " up",
                        "ip -n " + ns(i) + " addr add " + host(i) + "/24 dev " + veth(i, 'p'),
                        "ip -n " + ns(i) + " link set " + veth(i, 'p') + " up", "ip -n " + ns(i) + " link set lo up");
                for (String c : CONTROLLERS) {
                    Files.createDirectories(cgroup(c, i));
                }
                // A fixed heap, touched at start (bin/d2r2's sip-server options): a heap that grows touches new
                // pages, and the burst of minor faults in one server for a second or two is what a peer's
                // vote sees as a difference (a fault-free run with -Xms64m -Xmx128m had one indicted that way).
                procs.add(inServer(i, work.resolve("server-" + i + ".log"), "env",
                        "D2R2_JAVA_OPTS=-Xms128m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", Path.of("bin", "d2r2").toAbsolutePath().toString(),
                        "sip-server", "--listen", backend(i)));
                names.add(backend(i));
                backends.add(new Backend(new InetSocketAddress(host(i), SIP_PORT), 1));
                services.append("    - name: \"").append(backend(i)).append("\"\n      probes: [{kind: os, target: \"cgroup:").append(CGROUP)
                        .append("/p").append(i).append("\", interval: ").append(interval).append("}]\n");
            }
            for (int i = 0; i < servers; i++) {
                if (!SipProbe.healthy(host(i), SIP_PORT, Duration.ofSeconds(60), Duration.ofMillis(200))) {
                    throw new IllegalStateException("server " + backend(i) + " answered no OPTIONS within 60 s");
                }
            }
            try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress(EDGE_HOST, SIP_PORT), backends, e -> { })) {
                BackendVolumes volumes = new BackendVolumes(edge);
                Thread sampler = Thread.ofPlatform().name("d2r2-diag-volumes").daemon().start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        volumes.sample();
                        try {
                            Thread.sleep(windowMs / 4);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                Process uac = sipp(work, budgetS);
                procs.add(uac);
                TimeUnit.SECONDS.sleep(5);
                try {
                    train(work, services.toString(), names);
                    measure(work, services.toString(), names, procs.getFirst(), injected, volumes);
                } finally {
                    sampler.interrupt();
                    uac.destroy();
                    uac.waitFor(10, TimeUnit.SECONDS);
                    System.out.println("SIPp: " + sippTotals(work.resolve("uac.out")));
                }
            }
        } finally {
            injected.endAll();
            for (Process p : procs) {
                p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < servers; i++) {
                run("ip link del " + veth(i, 'h'));
                run("ip netns del " + ns(i));
                for (String c : CONTROLLERS) {
                    run("rmdir " + cgroup(c, i));
                }
            }
            for (String c : CONTROLLERS) {
                run("rmdir " + CGROUPS.resolve(c).resolve(CGROUP));
            }
            run("ip link del " + BRIDGE);
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }

    /** A process in server {@code i}'s namespace and cgroup ({@code ip netns exec} execs: the pid is the command's). */
    private static Process inServer(int i, Path log, String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns(i)));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        for (String c : CONTROLLERS) {
            Files.writeString(cgroup(c, i).resolve("cgroup.procs"), Long.toString(p.pid()));
        }
        return p;
    }

    private Process sipp(Path work, long budgetS) throws IOException {
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        return new ProcessBuilder("sipp", "-sn", "uac", EDGE_HOST + ":" + SIP_PORT, "-i", EDGE_HOST, "-p", Integer.toString(port),
                "-r", Integer.toString(cps), "-d", Integer.toString(callMs), "-m", Long.toString(cps * budgetS), "-timeout", budgetS + "s",
                "-nostdin").directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("uac.out").toFile()).start();
    }

    /** The last totals SIPp's screen showed. */
    private static String sippTotals(Path out) throws IOException {
        String ok = "?";
        String failed = "?";
        for (String line : Files.readAllLines(out, StandardCharsets.ISO_8859_1)) {
            String[] f = line.strip().split("\\s+");
            if (line.contains("Successful call")) {
                ok = f[f.length - 1];
            } else if (line.contains("Failed call")) {
                failed = f[f.length - 1];
            }
        }
        return ok + " successful calls, " + failed + " failed";
    }

    private VoteSettings vote() {
        VoteSettings d = VoteSettings.DEFAULTS;
        return new VoteSettings(decay, consecutive, d.clearAfter(), effectFloor, d.warmup());
    }

    private void train(Path work, String services, List<String> names) throws Exception {
        List<Sample> recorded = new CopyOnWriteArrayList<>();
        try (Node node = start(work, "broker: {listen: 127.0.0.1:0, data: rec}\n" + services);
             BrokerClient admin = node.broker().connectLocal(Broker.ADMIN);
             Subscription sub = admin.subscribe("metrics", StartPosition.live(), d -> {
                 try {
                     recorded.add(Sample.from(d.event()));
                 } catch (EventFormatException e) {
                     throw new IllegalStateException(e);
                 }
             })) {
            TimeUnit.SECONDS.sleep(train);
        }
        Trainer.Training t = Trainer.train(recorded, new Trainer.Request(metrics, "os", Map.of("sip", names), windowMs, k, vote(), 0.25, 1));
        Profiles profiles = t.profiles();
        ProfilesFile.write(profiles, work.resolve("profiles.json"));
        System.out.printf(Locale.ROOT, "trained on %d s (%d windows), metrics %s, profile sizes %s, largest distance %.3f, threshold %.3f,"
                        + " pairwise spreads %s%n", train, t.windows(), profiles.metrics(), java.util.Arrays.toString(profiles.sizes()),
                t.largestDistance(), profiles.threshold(), java.util.Arrays.toString(profiles.spread()));
    }

    /** One event a line, for a later look at what the vote saw (the subscription's one thread writes). */
    private static void keep(OutputStream out, Event e) {
        try {
            EventCodec.write(e, out);
            out.write('\n');
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    private void measure(Path work, String services, List<String> names, Process culprit, Faults injected, BackendVolumes volumes)
            throws Exception {
        List<Event> verdicts = new CopyOnWriteArrayList<>();
        List<Long> drops = new CopyOnWriteArrayList<>();
        List<Run> runs = new ArrayList<>();
        long faultFreeFrom;
        long faultFreeUntil;
        long falseIndictments;
        String group = names.stream().map(n -> "\"" + n + "\"").reduce((a, b) -> a + ", " + b).orElseThrow();
        try (OutputStream kept = samplesOut == null ? OutputStream.nullOutputStream() : new BufferedOutputStream(Files.newOutputStream(samplesOut));
             Node node = start(work, "broker: {listen: 127.0.0.1:0, data: live}\ndiagnosis: {profiles: profiles.json, groups: {sip: ["
                + group + "]}}\n" + services);
             BrokerClient admin = node.broker().connectLocal(Broker.ADMIN);
             Subscription sub = admin.subscribe("diagnosis", StartPosition.live(), d -> {
                 try {
                     Event e = d.event();
                     if (e.type().equals(PeerIndicted.TYPE) || e.type().equals(PeerCleared.TYPE)) {
                         verdicts.add(e);
                     }
                     if (e.type().equals(PeerIndicted.TYPE)) {
                         // to tell a false indictment on a busy machine from one on a quiet one
                         System.out.println("indicted " + e.source() + "; load average " + loadAverage());
                     }
                 } catch (EventFormatException e) {
                     throw new IllegalStateException(e);
                 }
             });
             Subscription samples = admin.subscribe("metrics", StartPosition.live(), d -> {
                 try {
                     keep(kept, d.event());
                     Sample s = Sample.from(d.event());
                     if (s.service().equals(names.getFirst()) && s.metric().equals(FILTERED) && s.value() > 0) {
                         drops.add(s.time());
                     }
                 } catch (EventFormatException e) {
                     throw new IllegalStateException(e);
                 }
             })) {
            System.out.println("load average at the fault-free start: " + loadAverage());
            faultFreeFrom = System.currentTimeMillis();
            TimeUnit.SECONDS.sleep(faultFree);
            faultFreeUntil = System.currentTimeMillis();
            falseIndictments = verdicts.stream().filter(e -> e.type().equals(PeerIndicted.TYPE)).count();
            System.out.printf(Locale.ROOT, "fault-free: %d s, %d indictments, %.2f per peer-hour; load average %s%n", faultFree,
                    falseIndictments, falseIndictments * 3600.0 / faultFree / servers, loadAverage());
            for (String fault : faults) {
                runs.add(fault(fault, culprit, injected, verdicts, drops, names));
            }
            System.out.println("load average after the faults: " + loadAverage());
        }
        report(volumes, names, runs, faultFreeFrom, faultFreeUntil, falseIndictments);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private Run fault(String fault, Process culprit, Faults injected, List<Event> verdicts, List<Long> drops, List<String> names)
            throws Exception {
        verdicts.clear();
        drops.clear();
        // a fault begun late in a window would count a window it barely touched
        TimeUnit.MILLISECONDS.sleep(windowMs - Math.floorMod(System.currentTimeMillis(), windowMs));
        long asked = System.currentTimeMillis();
        injected.start(fault, culprit);
        // the fault is in place once its commands are done (on a loaded machine three `ip netns exec nft` took seconds)
        long from = System.currentTimeMillis();
        String victim = names.getFirst();
        long deadline = from + giveUp * windowMs;
        while (System.currentTimeMillis() < deadline && verdicts.stream().noneMatch(e -> e.type().equals(PeerIndicted.TYPE)
                && e.source().equals(victim))) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        Event indicted = verdicts.stream().filter(e -> e.type().equals(PeerIndicted.TYPE) && e.source().equals(victim)).findFirst()
                .orElse(null);
        // the fault lasts long enough for the success-rate detector to judge whole intervals of it
        TimeUnit.MILLISECONDS.sleep(Math.max(0, from + hold * 1000L - System.currentTimeMillis()));
        injected.end(fault, culprit);
        long ended = System.currentTimeMillis();
        if (indicted == null) {
            System.out.printf(Locale.ROOT, "%-5s escaped the diagnosis (no indictment within %d windows)%n", fault, giveUp);
            TimeUnit.SECONDS.sleep(10);
            return new Run(fault, from, ended, null, null, firstDrop(drops, from));
        }
        PeerIndicted i = PeerIndicted.from(indicted);
        while (System.currentTimeMillis() < ended + 60_000 && verdicts.stream().noneMatch(e -> e.type().equals(PeerCleared.TYPE))) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        Double cleared = verdicts.stream().filter(e -> e.type().equals(PeerCleared.TYPE)).findFirst()
                .map(e -> (e.time() - ended) / 1000.0).orElse(null);
        List<String> others = verdicts.stream().filter(e -> e.type().equals(PeerIndicted.TYPE) && !e.source().equals(i.peer()))
                .map(Event::source).toList();
        long firstDrop = firstDrop(drops, from);
        long flaps = verdicts.stream().filter(e -> e.type().equals(PeerIndicted.TYPE) && e.source().equals(i.peer())).count() - 1;
        System.out.printf(Locale.ROOT, "%-5s (in place %.1f s after it was asked) indicted %s after %d windows (%.1f s; metric %s, effect"
                        + " %.1f, distance %.3f)%s; %s%s%s%n",
                fault, (from - asked) / 1000.0, i.peer(), windows(from, i.time()), (i.time() - from) / 1000.0, i.metric(), i.effect(), i.distance(),
                firstDrop == 0 ? "" : String.format(Locale.ROOT, " — the first drop counted %.1f s after the start: %d windows from"
                        + " its window", (firstDrop - from) / 1000.0, fromFirstDrop(firstDrop, i.time())),
                cleared == null ? "not cleared within 60 s" : String.format(Locale.ROOT, "cleared %.1f s after the fault ended", cleared),
                flaps == 0 ? "" : "; cleared and indicted again " + flaps + " times while it lasted",
                others.isEmpty() ? "" : "; also indicted: " + others);
        TimeUnit.SECONDS.sleep(10);
        return new Run(fault, from, ended, i, cleared, firstDrop);
    }

    /** The first sample of server 0 at or after {@code from} that counted a drop (0: none). */
    private static long firstDrop(List<Long> drops, long from) {
        return drops.stream().filter(t -> t >= from).mapToLong(Long::longValue).min().orElse(0);
    }

    /** Windows from the one a sample at {@code drop} fell in to the verdict that ended at {@code at}, both counted. */
    private long fromFirstDrop(long drop, long at) {
        return (at - Math.floorDiv(drop, windowMs) * windowMs + windowMs - 1) / windowMs;
    }

    /**
     * The quota fault's period: the shortest, from the default 100 ms, whose share {@code --quota}
     * is still the kernel's least quota (1 ms) — 200 ms for 0.5 % of a core, below a SIP server's
     * use at 20 calls/s (about 0.6 %). A quota just under a server's need runs out in some periods
     * only, and {@code cpu.stat} accounts a throttled spell when its period ends: with 1 s periods
     * a 1 s window saw throttling or none at random, and the vote, which wants suspect windows in a
     * row, took 7 windows; with several periods a window, every window shows it.
     */
    private long quotaPeriodUs() {
        long period = Math.max(CFS_PERIOD_US, (long) Math.ceil(MIN_QUOTA_US * 100 / quotaPercent));
        if (period > MAX_PERIOD_US) {
            throw new IllegalArgumentException("--quota " + quotaPercent + ": below 0.1 % of a core the kernel has no period long enough");
        }
        return period;
    }

    /** Windows from a fault's start, at a window's beginning (less its commands' own time), to a verdict at {@code at}. */
    private long windows(long from, long at) {
        return (at - from + windowMs - 1) / windowMs;
    }

    /**
     * The table: per fault the diagnosis beside the success-rate detector, on the same calls; then
     * the false verdicts of both in the fault-free period. The detector's intervals start with the
     * fault-free period and follow each other; a fault's ejection is the end of the first interval
     * that overlaps the fault and ejects the culprit.
     */
    private void report(BackendVolumes volumes, List<String> names, List<Run> runs, long faultFreeFrom, long faultFreeUntil,
                        long falseIndictments) {
        SuccessRateOutliers envoy = SuccessRateOutliers.ENVOY_DEFAULTS;
        long intervalMs = srInterval * 1000L;
        Map<Long, Map<String, SuccessRateOutliers.Volume>> intervals = volumes.intervals(faultFreeFrom, intervalMs);
        Map<Long, Set<String>> ejected = new LinkedHashMap<>();
        intervals.forEach((start, v) -> ejected.put(start, envoy.outliers(v)));
        String culprit = names.getFirst();
        System.out.println();
        System.out.printf("| fault | diagnosis: windows to indict | by metric | cleared after the fault ended | success-rate detector: s to eject |%n");
        System.out.printf("|---|---:|---|---:|---:|%n");
        for (Run r : runs) {
            Double eject = ejected.entrySet().stream().filter(e -> e.getKey() + intervalMs > r.from() && e.getKey() < r.until()
                    && e.getValue().contains(culprit)).map(e -> (e.getKey() + intervalMs - r.from()) / 1000.0).findFirst().orElse(null);
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.fault(),
                    r.indicted() == null ? "escaped" : Long.toString(windows(r.from(), r.indicted().time())),
                    r.indicted() == null ? "—" : String.format(Locale.ROOT, "`%s` (%.1f)", r.indicted().metric(), r.indicted().effect()),
                    r.clearedAfter() == null ? "—" : String.format(Locale.ROOT, "%.1f s", r.clearedAfter()),
                    eject == null ? "escaped" : String.format(Locale.ROOT, "%.0f", eject));
        }
        List<Run> losses = runs.stream().filter(r -> r.fault().equals("loss") && r.indicted() != null).toList();
        if (!losses.isEmpty()) {
            System.out.printf(Locale.ROOT, "%nloss: windows to indict %s; counted from the window of the first drop %s%n",
                    losses.stream().map(r -> Long.toString(windows(r.from(), r.indicted().time()))).toList(),
                    losses.stream().map(r -> r.firstDrop() == 0 ? "?" : Long.toString(fromFirstDrop(r.firstDrop(), r.indicted().time()))).toList());
        }
        long envoyFalse = ejected.entrySet().stream().filter(e -> e.getKey() + intervalMs <= faultFreeUntil)
                .mapToLong(e -> e.getValue().size()).sum();
        long judged = intervals.entrySet().stream().filter(e -> e.getKey() + intervalMs <= faultFreeUntil)
                .filter(e -> e.getValue().values().stream().filter(v -> v.requests() >= envoy.requestVolume()).count() >= envoy.minimumHosts())
                .count();
        double hours = (faultFreeUntil - faultFreeFrom) / 3_600_000.0;
        System.out.printf(Locale.ROOT, "%nfault-free %.0f s, %d servers: diagnosis %d indictments (%.2f per peer-hour); success-rate detector"
                + " %d ejections (%.2f per peer-hour) in %d judged intervals of %d s%n", hours * 3600, names.size(), falseIndictments,
                falseIndictments / hours / names.size(), envoyFalse, envoyFalse / hours / names.size(), judged, srInterval);
    }

    private static Node start(Path dir, String yaml) throws Exception {
        return Node.start(Node.check(ConfigLoader.parse(dir.resolve("node.yaml").toString(), yaml, NodeConfig.class), dir), e -> { });
    }

    /** The faults, injected in server 0 and undone; a hog runs in the server's namespace and cgroup. */
    private final class Faults {
        private final Path work;
        private Process hog;

        Faults(Path work) {
            this.work = work;
        }

        void start(String fault, Process server) throws Exception {
            String ns = ns(0);
            switch (fault) {
                case "cpu" -> hog = inServer(0, work.resolve("hog.log"), "sh", "-c", "while :; do :; done");
                case "disk" -> hog = inServer(0, work.resolve("hog.log"), "python3", "-c", """
                        import os
                        data = os.urandom(1 << 16)
                        with open(%s, "wb") as f:
                            while True:
                                f.write(data); f.flush(); os.fsync(f.fileno()); f.seek(0)
                        """.formatted("\"" + work.resolve("disk-hog") + "\""));
                case "leak" -> hog = inServer(0, work.resolve("hog.log"), "python3", "-c", """
                        import time
                        leaked = []
                        while True:
                            if len(leaked) < 1500:
                                block = bytearray(1 << 20); block[::4096] = b"x" * 256; leaked.append(block)
                            time.sleep(0.05)
                        """);
                case "quota" -> {
                    long period = quotaPeriodUs();
                    Files.writeString(cgroup("cpu", 0).resolve("cpu.cfs_period_us"), Long.toString(period));
                    Files.writeString(cgroup("cpu", 0).resolve("cpu.cfs_quota_us"), Long.toString(Math.round(period * quotaPercent / 100)));
                }
                case "stop" -> sh("kill -STOP " + server.pid());
                case "loss" -> sh("ip netns exec " + ns + " nft add table inet d2r2diag && ip netns exec " + ns
                        + " nft add chain inet d2r2diag in '{ type filter hook input priority 0; policy accept; }' && ip netns exec " + ns
                        + " nft add rule inet d2r2diag in udp dport " + SIP_PORT + " numgen random mod 100 '<' " + lossPercent + " drop");
                case "rate" -> sh("ip netns exec " + ns + " tc qdisc add dev " + veth(0, 'p') + " root tbf rate " + tbfRate
                        + " burst 1600 latency 20ms");
                default -> throw new IllegalArgumentException("no fault " + fault + " (cpu, quota, disk, leak, stop, loss, rate)");
            }
        }

        void end(String fault, Process server) throws Exception {
            String ns = ns(0);
            switch (fault) {
                case "cpu", "disk", "leak" -> {
                    hog.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    hog = null;
                }
                case "quota" -> {
                    Files.writeString(cgroup("cpu", 0).resolve("cpu.cfs_quota_us"), "-1");
                    Files.writeString(cgroup("cpu", 0).resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
                }
                case "stop" -> sh("kill -CONT " + server.pid());
                case "loss" -> sh("ip netns exec " + ns + " nft delete table inet d2r2diag");
                case "rate" -> sh("ip netns exec " + ns + " tc qdisc del dev " + veth(0, 'p') + " root");
                default -> throw new IllegalArgumentException("no fault " + fault);
            }
        }

        /** Whatever is still injected when the benchmark stops early. */
        void endAll() throws Exception {
            if (hog != null) {
                hog.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            run("echo -1 > " + cgroup("cpu", 0).resolve("cpu.cfs_quota_us"));
            run("echo " + CFS_PERIOD_US + " > " + cgroup("cpu", 0).resolve("cpu.cfs_period_us"));
            run("ip netns exec " + ns(0) + " nft delete table inet d2r2diag");
        }
    }

    private static void sh(String... commands) throws IOException, InterruptedException {
        for (String c : commands) {
            Process p = new ProcessBuilder("sh", "-c", c).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(c + ": " + out.strip());
            }
        }
    }

    private static void run(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
    }
}
