package dev.d2r2.bench;

import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.diagnosis.Profiles;
import dev.d2r2.diagnosis.ProfilesFile;
import dev.d2r2.diagnosis.Trainer;
import dev.d2r2.diagnosis.VoteSettings;
import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.monitor.events.Sample;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Peer-similarity diagnosis against real faults: N like peers ({@code examples/diagnosis/peer.py},
 * real processes, each in a network namespace of its own behind a veth pair, answering the
 * benchmark's UDP requests), OS probes through {@code d2r2 run}'s monitor, profiles trained on a
 * fault-free recording, then the diagnosis role: a fault-free period (false positives per
 * peer-hour), and each fault injected in turn on peer 0 (windows until it is indicted, or
 * "escaped"), then ended (seconds until it is cleared). Faults: cpu (busy loop), disk (writes and
 * fsyncs), leak (1 MiB allocated and touched every iteration), stop (SIGSTOP; SIGCONT to end), loss
 * (nftables random drop of the requests in the peer's namespace), rate (a tbf rate cap on the
 * peer's side of its veth). Beside it, on the same requests and windows, Envoy's success-rate
 * outlier detection ({@link SuccessRateOutliers}): which faults it catches, and how soon.
 */
@Command(name = "diagnosis-bench", mixinStandardHelpOptions = true)
public final class DiagnosisBench implements Callable<Integer> {
    private static final int ECHO_PORT = 9999;
    @Option(names = "--peers", defaultValue = "5") int peers;
    @Option(names = "--train", defaultValue = "60", description = "Seconds of fault-free recording to train on") int train;
    @Option(names = "--fault-free", defaultValue = "1800", description = "Seconds of fault-free diagnosis (false positives)") int faultFree;
    @Option(names = "--faults", split = ",", defaultValue = "cpu,disk,leak,stop,loss,rate") List<String> faults;
    @Option(names = "--window", defaultValue = "1000", description = "Window, ms") long windowMs;
    @Option(names = "--interval", defaultValue = "200ms", description = "OS probe interval") String interval;
    @Option(names = "--k", defaultValue = "3") int k;
    @Option(names = "--metrics", split = ",", description = "The metric set (default: the trainer's choice)") List<String> metrics = List.of();
    @Option(names = "--give-up", defaultValue = "20", description = "Windows after a fault's start without indictment: escaped") int giveUp;
    @Option(names = "--rate", defaultValue = "200", description = "Requests a second to each peer") double rate;
    @Option(names = "--loss", defaultValue = "5", description = "Per cent of requests the loss fault drops") int lossPercent;
    @Option(names = "--tbf", defaultValue = "48kbit", description = "The rate fault's cap on the peer's egress") String tbfRate;

    /** One fault's outcome: when it started and ended, the diagnosis's verdicts. */
    private record Run(String fault, long from, long until, PeerIndicted indicted, Double clearedAfter) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DiagnosisBench()).execute(args));
    }

    private static String ns(int i) {
        return "d2r2-dg-p" + i;
    }

    private static String veth(int i, char side) {
        return "d2r2dg" + i + side;
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("d2r2-diagnosis-bench");
        Path script = Path.of("examples", "diagnosis", "peer.py").toAbsolutePath();
        List<Process> procs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<InetSocketAddress> targets = new ArrayList<>();
        StringBuilder services = new StringBuilder("monitor:\n  services:\n");
        long budget = (train + faultFree + faults.size() * (giveUp * windowMs / 1000 + 70L) + 120) * 1000;
        try {
            for (int i = 0; i < peers; i++) {
                sh("ip netns add " + ns(i), "ip link add " + veth(i, 'h') + " type veth peer name " + veth(i, 'p') + " netns " + ns(i),
                        "ip addr add 10.252." + i + ".1/30 dev " + veth(i, 'h'), "ip link set " + veth(i, 'h') + " up",
                        "ip -n " + ns(i) + " addr add 10.252." + i + ".2/30 dev " + veth(i, 'p'),
                        "ip -n " + ns(i) + " link set " + veth(i, 'p') + " up", "ip -n " + ns(i) + " link set lo up");
                Process p = new ProcessBuilder("ip", "netns", "exec", ns(i), "python3", script.toString(), work.resolve("peer-" + i).toString(),
                        Long.toString(budget / 1000), Integer.toString(ECHO_PORT))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                procs.add(p);
                names.add("peer-" + i);
                targets.add(new InetSocketAddress("10.252." + i + ".2", ECHO_PORT));
                services.append("    - name: peer-").append(i).append("\n      probes: [{kind: os, target: \"pid:").append(p.pid())
                        .append("\", interval: ").append(interval).append("}]\n");
            }
            try (EchoLoad load = new EchoLoad(names, targets, rate, windowMs, budget)) {
                Profiles profiles = train(work, services.toString(), names);
                measure(work, services.toString(), names, procs.getFirst(), load);
            }
        } finally {
            for (Process p : procs) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            for (int i = 0; i < peers; i++) {
                run("ip link del " + veth(i, 'h'));
                run("ip netns del " + ns(i));
            }
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }

    private Profiles train(Path work, String services, List<String> names) throws Exception {
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
        Trainer.Training t = Trainer.train(recorded, new Trainer.Request(metrics, "os", Map.of("sip", names), windowMs, k,
                VoteSettings.DEFAULTS, 0.25, 1));
        Profiles profiles = t.profiles();
        ProfilesFile.write(profiles, work.resolve("profiles.json"));
        System.out.printf(Locale.ROOT, "trained on %d s (%d windows), metrics %s, profile sizes %s, largest distance %.3f, threshold %.3f%n",
                train, t.windows(), profiles.metrics(), java.util.Arrays.toString(profiles.sizes()), t.largestDistance(),
                profiles.threshold());
        return profiles;
    }

    private void measure(Path work, String services, List<String> names, Process culprit, EchoLoad load) throws Exception {
        List<Event> verdicts = new CopyOnWriteArrayList<>();
        List<Run> runs = new ArrayList<>();
        long faultFreeFrom;
        long faultFreeUntil;
        long falsePositives;
        try (Node node = start(work, "broker: {listen: 127.0.0.1:0, data: live}\ndiagnosis: {profiles: profiles.json, groups: {sip: ["
                + String.join(", ", names) + "]}}\n" + services);
             BrokerClient admin = node.broker().connectLocal(Broker.ADMIN);
             Subscription sub = admin.subscribe("diagnosis", StartPosition.live(), d -> {
                 try {
                     Event e = d.event();
                     if (e.type().equals(PeerIndicted.TYPE) || e.type().equals(PeerCleared.TYPE)) {
                         verdicts.add(e);
                     }
                 } catch (EventFormatException e) {
                     throw new IllegalStateException(e);
                 }
             })) {
            faultFreeFrom = System.currentTimeMillis();
            TimeUnit.SECONDS.sleep(faultFree);
            faultFreeUntil = System.currentTimeMillis();
            falsePositives = verdicts.stream().filter(e -> e.type().equals(PeerIndicted.TYPE)).count();
            System.out.printf(Locale.ROOT, "fault-free: %d s, %d indictments, %.2f per peer-hour%n", faultFree, falsePositives,
                    falsePositives * 3600.0 / faultFree / peers);
            for (String fault : faults) {
                runs.add(fault(fault, work, culprit, verdicts));
            }
        }
        report(load, names, runs, faultFreeFrom, faultFreeUntil, falsePositives);
    }

    private Run fault(String fault, Path work, Process culprit, List<Event> verdicts) throws Exception {
        verdicts.clear();
        long from = System.currentTimeMillis();
        inject(fault, work, culprit, true);
        long deadline = from + giveUp * windowMs;
        while (System.currentTimeMillis() < deadline && verdicts.stream().noneMatch(e -> e.type().equals(PeerIndicted.TYPE))) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        Event indicted = verdicts.stream().filter(e -> e.type().equals(PeerIndicted.TYPE)).findFirst().orElse(null);
        // the fault lasts at least a few windows: the success-rate detector judges the same period
        TimeUnit.MILLISECONDS.sleep(Math.max(0, from + 5 * windowMs - System.currentTimeMillis()));
        inject(fault, work, culprit, false);
        long ended = System.currentTimeMillis();
        if (indicted == null) {
            System.out.printf(Locale.ROOT, "%-5s escaped the diagnosis (no indictment within %d windows)%n", fault, giveUp);
            TimeUnit.MILLISECONDS.sleep(5 * windowMs);
            return new Run(fault, from, ended, null, null);
        }
        PeerIndicted i = PeerIndicted.from(indicted);
        while (System.currentTimeMillis() < ended + 60_000 && verdicts.stream().noneMatch(e -> e.type().equals(PeerCleared.TYPE))) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        Double cleared = verdicts.stream().filter(e -> e.type().equals(PeerCleared.TYPE)).findFirst()
                .map(e -> (e.time() - ended) / 1000.0).orElse(null);
        System.out.printf(Locale.ROOT, "%-5s indicted %s after %d windows (%.1f s; metric %s, effect %.1f, distance %.3f); %s%n",
                fault, i.peer(), windows(from, i.time()), (i.time() - from) / 1000.0, i.metric(), i.effect(), i.distance(),
                cleared == null ? "not cleared within 60 s" : String.format(Locale.ROOT, "cleared %.1f s after the fault ended", cleared));
        TimeUnit.MILLISECONDS.sleep(3 * windowMs);
        return new Run(fault, from, ended, i, cleared);
    }

    /** Windows from a fault's start to a verdict at {@code at} (the first one partial). */
    private long windows(long from, long at) {
        return (at - from + windowMs - 1) / windowMs;
    }

    /** The table: per fault the diagnosis beside the success-rate detector, on the same windows; then the false positives of both. */
    private void report(EchoLoad load, List<String> names, List<Run> runs, long faultFreeFrom, long faultFreeUntil, long falsePositives) {
        SuccessRateOutliers envoy = SuccessRateOutliers.ENVOY_DEFAULTS;
        Map<Long, Map<String, SuccessRateOutliers.Volume>> volumes = load.volumes(System.currentTimeMillis() - windowMs);
        Map<Long, java.util.Set<String>> ejected = new LinkedHashMap<>();
        volumes.forEach((start, v) -> ejected.put(start, envoy.outliers(v)));
        String culprit = names.getFirst();
        System.out.println();
        System.out.printf("| fault | diagnosis: windows to indict | metric | cleared after | success-rate detector: windows to eject |%n");
        System.out.printf("|---|---:|---|---:|---:|%n");
        for (Run r : runs) {
            Long eject = ejected.entrySet().stream().filter(e -> e.getKey() + windowMs > r.from() && e.getKey() < r.until()
                    && e.getValue().contains(culprit)).map(e -> windows(r.from(), e.getKey() + windowMs)).findFirst().orElse(null);
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", r.fault(),
                    r.indicted() == null ? "escaped" : Long.toString(windows(r.from(), r.indicted().time())),
                    r.indicted() == null ? "—" : r.indicted().metric(),
                    r.clearedAfter() == null ? "—" : String.format(Locale.ROOT, "%.1f s", r.clearedAfter()),
                    eject == null ? "escaped" : eject.toString());
        }
        long envoyFalse = ejected.entrySet().stream().filter(e -> e.getKey() >= faultFreeFrom && e.getKey() + windowMs <= faultFreeUntil)
                .mapToLong(e -> e.getValue().size()).sum();
        long judged = volumes.entrySet().stream().filter(e -> e.getKey() >= faultFreeFrom && e.getKey() + windowMs <= faultFreeUntil)
                .filter(e -> e.getValue().values().stream().filter(v -> v.requests() >= envoy.requestVolume()).count() >= envoy.minimumHosts())
                .count();
        double hours = (faultFreeUntil - faultFreeFrom) / 3_600_000.0;
        System.out.printf(Locale.ROOT, "%nfault-free %.0f s, %d peers: diagnosis %d indictments (%.2f per peer-hour); success-rate detector"
                + " %d ejections (%.2f per peer-hour) in %d judged windows of %d ms%n", hours * 3600, names.size(), falsePositives,
                falsePositives / hours / names.size(), envoyFalse, envoyFalse / hours / names.size(), judged, windowMs);
    }

    private static Node start(Path dir, String yaml) throws Exception {
        return Node.start(Node.check(ConfigLoader.parse(dir.resolve("node.yaml").toString(), yaml, NodeConfig.class), dir), e -> { });
    }

    private void inject(String fault, Path work, Process peer, boolean on) throws Exception {
        String ns = ns(0);
        switch (fault) {
            case "stop" -> sh("kill -" + (on ? "STOP " : "CONT ") + peer.pid());
            case "loss" -> sh(on ? "ip netns exec " + ns + " nft add table inet d2r2dg && ip netns exec " + ns
                    + " nft add chain inet d2r2dg in '{ type filter hook input priority 0; policy accept; }' && ip netns exec " + ns
                    + " nft add rule inet d2r2dg in udp dport " + ECHO_PORT + " numgen random mod 100 '<' " + lossPercent + " drop"
                    : "ip netns exec " + ns + " nft delete table inet d2r2dg");
            case "rate" -> sh("ip netns exec " + ns + " tc qdisc " + (on ? "add" : "del") + " dev " + veth(0, 'p') + " root"
                    + (on ? " tbf rate " + tbfRate + " burst 1600 latency 20ms" : ""));
            case "cpu", "disk", "leak" -> {
                Path flag = work.resolve("peer-0." + fault);
                if (on) {
                    Files.writeString(flag, "");
                } else {
                    Files.deleteIfExists(flag);
                }
            }
            default -> throw new IllegalArgumentException("no fault " + fault + " (cpu, disk, leak, stop, loss, rate)");
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
