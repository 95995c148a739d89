package dev.d2r2.bench;

import dev.d2r2.app.Main;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScaleRequest;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.driver.ProcessDriver;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.PhaseTimed;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.sip.edge.ApiLimits;
import dev.d2r2.sip.edge.EdgeApi;
import dev.d2r2.sip.edge.EdgeProxy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Scale-out and scale-in under load: SIPp calls at a steady rate through a SIP edge to d2r2
 * SIP servers, each a {@code d2r2 sip-server} in a network namespace of its own under a cgroup
 * CPU quota (the process driver); a scale-out decision clones the server into the other cloud
 * (its home is full), and the time from the decision to the first call served on the clone is
 * measured with each phase; then a scale-in drains the clone and stops it. SIPp's failed calls
 * over the whole run are the calls failed during scaling or dropped on scale-in. HPA's defaults
 * are printed beside.
 */
@Command(name = "scale-bench", mixinStandardHelpOptions = true)
public final class ScaleBench implements Callable<Integer> {
    private static final String PREFIX = "d2r2-sc-b";
    private static final String TOKEN = "scale-bench-token-0123456789abcdef";

    @Option(names = "--rate", defaultValue = "200", description = "Calls a second through the edge") int rate;
    @Option(names = "--call-length", defaultValue = "2000", description = "ms") int callMs;
    @Option(names = "--settle", defaultValue = "5", description = "Seconds of load before the scale-out") int settle;
    @Option(names = "--artifact-mb", defaultValue = "0", description = "An image artifact the clone carries (0: state only)") int artifactMb;
    @Option(names = "--cpu", defaultValue = "1.0", description = "Each instance's CPU quota, in cores") double cpu;
    @Option(names = "--link", description = "The rate of the link into the remote cloud, as tc writes it (1gbit): the artifact"
            + " crosses it to the cloud's image store (none: not shaped, the artifact is copied on the same disk)") String link;

    private final List<Event> events = new CopyOnWriteArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScaleBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("d2r2-scale-bench");
        String artifact = "";
        if (artifactMb > 0) {
            Path image = dir.resolve("image.bin");
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                byte[] chunk = new byte[1 << 20];
                for (int i = 0; i < artifactMb; i++) {
                    chunk[0] = (byte) i;
                    f.write(chunk);
                }
            }
            artifact = "\n      artifact: " + image;
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classPath = String.join(":", Arrays.stream(System.getProperty("java.class.path").split(":"))
                .map(e -> Path.of(e).toAbsolutePath().toString()).toList());
        ScaleConfig config = ScaleConfig.parse("bench.yaml", """
                clouds:
                  home:   { subnet: 10.97.31.0/24, capacity: 1 }
                  remote: { subnet: 10.97.32.0/24, capacity: 4%s }
                types:
                  sip:
                    template:
                      command: ["%s", -XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xmx128m, -cp, "%s", %s, sip-server, --listen, "${address}:${port}"]
                      port: 5060
                      cpu: %s%s
                    cloud: home
                    min: 1
                    max: 4
                    metrics:
                      active_calls: { warning: 100000, critical: 200000, warning-for: 1s, critical-for: 1s }
                    target: { metric: active_calls, per-instance: 50000 }
                    scale-down: { below: 1, for: 1h }
                    cooldown: { out: 0s, in: 0s }
                    drain-deadline: 60s
                """.formatted(link == null ? "" : ", link: " + link, java, classPath, Main.class.getName(), cpu, artifact));
        ProcessDriver.cleanup(PREFIX);
        ProcessDriver.network(config, PREFIX);
        Process uac = null;
        try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("10.97.31.1", 0), List.of(), e -> { });
             EdgeApi api = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, BearerToken.of(TOKEN), ApiLimits.DEFAULT)) {
            EdgeClient client = new EdgeClient(URI.create("http://127.0.0.1:" + api.address().getPort()), TOKEN);
            ScalerOptions options = new ScalerOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(200), null);
            try (ScalerRole scaler = new ScalerRole(config, l -> new ProcessDriver(config, PREFIX, dir.resolve("work"), l), client, options,
                    Clock.system(), events::add)) {
                await(dir, e -> change(e).filter(c -> c.instance().equals("sip-1") && c.to().equals("serving")).isPresent(), 60);
                int port;
                try (DatagramSocket s = new DatagramSocket(0)) {
                    port = s.getLocalPort();
                }
                int seconds = settle + 40;
                uac = new ProcessBuilder("sipp", "-sn", "uac", "10.97.31.1:" + edge.address().getPort(), "-i", "10.97.31.1", "-p",
                        Integer.toString(port), "-r", Integer.toString(rate), "-m", Long.toString((long) rate * seconds), "-d",
                        Integer.toString(callMs), "-nostdin", "-trace_err", "-timeout", (seconds + 60) + "s")
                        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("uac.out").toFile()).start();
                Thread.sleep(Duration.ofSeconds(settle));

                long out = System.currentTimeMillis();
                scaler.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "bench/scale-out"));
                await(dir, e -> phase(e).filter(p -> p.instance().equals("sip-2") && p.phase().equals("first-call")).isPresent(), 60);
                List<PhaseTimed> phases = events.stream().map(ScaleBench::phase).flatMap(Optional::stream)
                        .filter(p -> p.instance().equals("sip-2")).toList();
                long firstCall = phases.getLast().time();
                System.out.printf(Locale.ROOT, "scale-out (clone sip-1 -> sip-2, cloud home -> remote%s), load %d calls/s:%n",
                        artifactMb == 0 ? ", state only" : ", artifact " + artifactMb + " MB " + (link == null
                                ? "(same disk, link not shaped)" : "over a " + link + " link (tc tbf) to the cloud's image store"), rate);
                for (PhaseTimed p : phases) {
                    String rateNote = p.phase().equals("transfer") && artifactMb > 0 && p.ms() > 0
                            ? String.format(Locale.ROOT, "(%.0f Mbit/s)", artifactMb * 8.0 * 1.048576 / (p.ms() / 1000.0)) : "";
                    System.out.printf(Locale.ROOT, "  %-11s %6d ms  %s%s%n", p.phase(), p.ms(), p.ok() ? "" : "FAILED ", rateNote);
                }
                System.out.printf(Locale.ROOT, "  decision -> first call served on the clone: %.2f s%n", (firstCall - out) / 1000.0);

                Thread.sleep(Duration.ofSeconds(5));
                long in = System.currentTimeMillis();
                scaler.submit(new ScaleRequest(ScaleRequest.IN, "sip", "bench/scale-in"));
                await(dir, e -> change(e).filter(c -> c.instance().equals("sip-2") && c.to().equals("stopped")).isPresent(), 120);
                long drained = events.stream().map(ScaleBench::change).flatMap(Optional::stream)
                        .filter(c -> c.instance().equals("sip-2") && c.to().equals("drained")).findFirst().orElseThrow().time();
                long stopped = events.stream().map(ScaleBench::change).flatMap(Optional::stream)
                        .filter(c -> c.instance().equals("sip-2") && c.to().equals("stopped")).findFirst().orElseThrow().time();
                System.out.printf(Locale.ROOT, "scale-in (drain sip-2, calls of %d ms): decision -> drained %.2f s, -> stopped %.2f s%n",
                        callMs, (drained - in) / 1000.0, (stopped - in) / 1000.0);

                if (!uac.waitFor(seconds + 90, TimeUnit.SECONDS)) {
                    System.out.println("SIPp did not end in time (the machine is overloaded): stopped");
                    uac.destroy();
                    uac.waitFor(10, TimeUnit.SECONDS);
                }
                String report = Files.readString(dir.resolve("uac.out"));
                System.out.printf(Locale.ROOT, "SIPp: exit %s, successful calls %s, failed calls %s (its messages: %s)%n", uac.isAlive() ? "none" : uac.exitValue(),
                        last(report, "Successful call"), last(report, "Failed call"), dir);
                long[] aborted = aborted(dir, out, firstCall, in, stopped);
                System.out.printf(Locale.ROOT, "calls aborted by SIPp: %d before the scale-out, %d from its decision to the first call on"
                        + " the clone, %d between, %d from the scale-in decision to the clone stopped, %d after%n",
                        aborted[0], aborted[1], aborted[2], aborted[3], aborted[4]);
            }
        } finally {
            if (uac != null) {
                uac.destroyForcibly();
            }
            ProcessDriver.cleanup(PREFIX);
            deleteImages(dir);
        }
        System.out.println("Kubernetes HPA defaults, for comparison: metrics sync every 15 s; a scale-up at most doubles the pool per"
                + " sync (max(4 pods, 100 %)), so a 5x spike needs several syncs before pods even start;"
                + " scale-down stabilization window 5 min.");
        return 0;
    }

    /** The artifact and its copies are large; SIPp's logs are kept. */
    private static void deleteImages(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("image.bin")).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private void await(Path dir, Predicate<Event> what, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (events.stream().noneMatch(what)) {
            if (System.nanoTime() > end) {
                events.forEach(System.err::println);
                try (var logs = Files.walk(dir)) {
                    logs.filter(f -> f.getFileName().toString().equals("out.log")).forEach(f -> {
                        try {
                            System.err.println(f + ":\n" + Files.readString(f));
                        } catch (IOException x) {
                            System.err.println(f + ": " + x.getMessage());
                        }
                    });
                } catch (IOException x) {
                    System.err.println(x.getMessage());
                }
                throw new IllegalStateException("not reached within " + seconds + " s");
            }
            Thread.sleep(20);
        }
    }

    private static Optional<PhaseTimed> phase(Event e) {
        try {
            return e.type().equals(ScaleEvents.PHASE.name()) ? Optional.of(PhaseTimed.from(e)) : Optional.empty();
        } catch (Exception x) {
            return Optional.empty();
        }
    }

    private static Optional<InstanceChange> change(Event e) {
        try {
            return e.type().equals(ScaleEvents.INSTANCE.name()) ? Optional.of(InstanceChange.from(e)) : Optional.empty();
        } catch (Exception x) {
            return Optional.empty();
        }
    }

    /** SIPp's aborted calls in its error log, by epoch time, counted in the windows the bounds delimit. */
    private static long[] aborted(Path dir, long... bounds) throws IOException {
        long[] counts = new long[bounds.length + 1];
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.getFileName().toString().endsWith("_errors.log")).toList()) {
                for (String line : Files.readAllLines(log)) {
                    int at = line.indexOf(": Aborting call");
                    if (at < 0) {
                        continue;
                    }
                    String[] parts = line.substring(0, at).split("\\s+");
                    long ms = (long) (Double.parseDouble(parts[parts.length - 1]) * 1000);
                    int window = 0;
                    while (window < bounds.length && ms >= bounds[window]) {
                        window++;
                    }
                    counts[window]++;
                }
            }
        }
        return counts;
    }

    /** The cumulative column of SIPp's final statistics line. */
    private static String last(String report, String label) {
        String found = "?";
        for (String line : report.split("\n")) {
            if (line.contains(label)) {
                String[] cells = line.split("\\|");
                found = cells[cells.length - 1].strip().split("\\s+")[0];
                if (found.isEmpty() && cells.length > 1) {
                    found = cells[cells.length - 2].strip().split("\\s+")[0];
                }
            }
        }
        return found;
    }
}
