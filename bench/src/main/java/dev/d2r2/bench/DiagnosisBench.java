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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Peer-similarity diagnosis against real faults: N like peers ({@code examples/diagnosis/peer.py},
 * real processes), OS probes through {@code d2r2 run}'s monitor, profiles trained on a fault-free
 * recording, then the diagnosis role: a fault-free period (false positives per peer-hour), and
 * each fault injected in turn on peer 0 (windows until it is indicted, or "escaped"), then ended
 * (seconds until it is cleared). Faults: cpu (busy loop), disk (writes and fsyncs), leak (1 MiB
 * allocated and touched every 50 ms), stop (SIGSTOP; SIGCONT to end).
 */
@Command(name = "diagnosis-bench", mixinStandardHelpOptions = true)
public final class DiagnosisBench implements Callable<Integer> {
    @Option(names = "--peers", defaultValue = "5") int peers;
    @Option(names = "--train", defaultValue = "60", description = "Seconds of fault-free recording to train on") int train;
    @Option(names = "--fault-free", defaultValue = "120", description = "Seconds of fault-free diagnosis (false positives)") int faultFree;
    @Option(names = "--faults", split = ",", defaultValue = "cpu,disk,leak,stop") List<String> faults;
    @Option(names = "--window", defaultValue = "1000", description = "Window, ms") long windowMs;
    @Option(names = "--interval", defaultValue = "200ms", description = "OS probe interval") String interval;
    @Option(names = "--k", defaultValue = "3") int k;
    @Option(names = "--metrics", split = ",", description = "The metric set (default: the trainer's choice)") List<String> metrics = List.of();
    @Option(names = "--give-up", defaultValue = "20", description = "Windows after a fault's start without indictment: escaped") int giveUp;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DiagnosisBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("d2r2-diagnosis-bench");
        Path script = Path.of("examples", "diagnosis", "peer.py").toAbsolutePath();
        List<Process> procs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder services = new StringBuilder("monitor:\n  services:\n");
        try {
            for (int i = 0; i < peers; i++) {
                Process p = new ProcessBuilder("python3", script.toString(), work.resolve("peer-" + i).toString(), "86400")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                procs.add(p);
                names.add("peer-" + i);
                services.append("    - name: peer-").append(i).append("\n      probes: [{kind: os, target: \"pid:").append(p.pid())
                        .append("\", interval: ").append(interval).append("}]\n");
            }
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
            String group = String.join(", ", names);
            List<Event> verdicts = new CopyOnWriteArrayList<>();
            try (Node node = start(work, "broker: {listen: 127.0.0.1:0, data: live}\ndiagnosis: {profiles: profiles.json, groups: {sip: ["
                    + group + "]}}\n" + services);
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
                TimeUnit.SECONDS.sleep(faultFree);
                long falsePositives = verdicts.stream().filter(e -> e.type().equals(PeerIndicted.TYPE)).count();
                System.out.printf(Locale.ROOT, "fault-free: %d s, %d indictments, %.2f per peer-hour%n", faultFree, falsePositives,
                        falsePositives * 3600.0 / faultFree / peers);
                for (String fault : faults) {
                    verdicts.clear();
                    long from = System.currentTimeMillis();
                    inject(fault, work, procs.getFirst(), true);
                    long deadline = from + giveUp * windowMs;
                    while (System.currentTimeMillis() < deadline && verdicts.stream().noneMatch(e -> e.type().equals(PeerIndicted.TYPE))) {
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                    Event indicted = verdicts.stream().filter(e -> e.type().equals(PeerIndicted.TYPE)).findFirst().orElse(null);
                    inject(fault, work, procs.getFirst(), false);
                    if (indicted == null) {
                        System.out.printf(Locale.ROOT, "%-5s escaped (no indictment within %d windows)%n", fault, giveUp);
                        TimeUnit.MILLISECONDS.sleep(5 * windowMs);
                        continue;
                    }
                    PeerIndicted i = PeerIndicted.from(indicted);
                    long ended = System.currentTimeMillis();
                    while (System.currentTimeMillis() < ended + 60_000 && verdicts.stream().noneMatch(e -> e.type().equals(PeerCleared.TYPE))) {
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                    String cleared = verdicts.stream().filter(e -> e.type().equals(PeerCleared.TYPE)).findFirst()
                            .map(e -> String.format(Locale.ROOT, "cleared %.1f s after the fault ended", (e.time() - ended) / 1000.0))
                            .orElse("not cleared within 60 s");
                    System.out.printf(Locale.ROOT, "%-5s indicted %s after %d windows (%.1f s; metric %s, effect %.1f, distance %.3f); %s%n",
                            fault, i.peer(), (i.time() - from + windowMs - 1) / windowMs, (i.time() - from) / 1000.0, i.metric(),
                            i.effect(), i.distance(), cleared);
                }
            }
        } finally {
            for (Process p : procs) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }

    private static Node start(Path dir, String yaml) throws Exception {
        return Node.start(Node.check(ConfigLoader.parse(dir.resolve("node.yaml").toString(), yaml, NodeConfig.class), dir), e -> { });
    }

    private static void inject(String fault, Path work, Process peer, boolean on) throws Exception {
        if (fault.equals("stop")) {
            new ProcessBuilder("kill", on ? "-STOP" : "-CONT", Long.toString(peer.pid())).start().waitFor();
            return;
        }
        Path flag = work.resolve("peer-0." + fault);
        if (on) {
            Files.writeString(flag, "");
        } else {
            Files.deleteIfExists(flag);
        }
    }
}
