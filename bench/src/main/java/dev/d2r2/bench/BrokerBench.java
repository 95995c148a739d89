package dev.d2r2.bench;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Directories;
import dev.d2r2.core.Durations;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Publish→deliver throughput and latency of the d2r2 broker over its transports, against
 * Mosquitto in the same run. Not a test: it prints figures and ratios and asserts nothing.
 */
@Command(name = "broker-bench", mixinStandardHelpOptions = true,
        description = "Benchmark the d2r2 broker against Mosquitto (QoS 1, persistence on).")
public final class BrokerBench implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--events", defaultValue = "200000", description = "Events per measured run (${DEFAULT-VALUE})")
    int events;

    @Option(names = "--warmup", defaultValue = "4s",
            description = "How long each scenario publishes at full speed before it is measured, so the JIT has settled (${DEFAULT-VALUE})")
    String warmup;

    @Option(names = "--size", defaultValue = "1024", description = "Event size in bytes (${DEFAULT-VALUE})")
    int size;

    @Option(names = "--out", defaultValue = "bench/results/broker-latest.md", description = "Markdown report (${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--paced-rate", description = "Pace the latency run at this rate instead of half the maximum")
    double pacedRate;

    @Option(names = "--paced-for", defaultValue = "5s", description = "How long the paced latency run lasts (${DEFAULT-VALUE})")
    String pacedFor;

    @Option(names = "--stalls", description = "Print when deliveries took over 10 ms (diagnostics)")
    boolean stalls;

    @Option(names = "--only", description = "Run only scenarios whose name contains this text")
    String only;

    @Option(names = "--linger-us", defaultValue = "0",
            description = "The network clients' linger in microseconds (${DEFAULT-VALUE}: none beyond the flush gap)")
    long lingerMicros;

    record Result(String name, double eventsPerSecond, Histogram maxRateLatency, double pacedRate, Histogram pacedLatency,
                  double serverCpuPerMillion) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BrokerBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("d2r2-bench");
        Path log = work.resolve("servers.log");
        byte[] template = BenchPayload.template(size);
        System.out.printf("broker benchmark: %d events of %d bytes per run, %d cores, work dir %s%n%n", events,
                template.length, Runtime.getRuntime().availableProcessors(), work);
        List<Result> results = new ArrayList<>();

        if (wanted("in-process")) {
            try (Broker broker = Broker.open(work.resolve("inproc"), Clock.system())) {
                BrokerClient a = broker.connectLocal(Broker.ADMIN);
                BrokerClient s = broker.connectLocal("subscriber");
                results.add(measure(new D2r2Transport("d2r2 in-process SI", a, s, Protection.SI, Persistence.NONE, FsyncPolicy.NEVER), template, null));
                results.add(measure(new D2r2Transport("d2r2 in-process PKS", broker.connectLocal(IdentityFile.load(broker.adminIdentityPath())), s, Protection.PKS, Persistence.NONE, FsyncPolicy.NEVER), template, null));
            }
        }
        Path data = work.resolve("broker");
        try (ServerProcess broker = new ServerProcess(ServerProcess.d2r2("broker",
                "--listen", "127.0.0.1:0", "--data", data.toString(), "--metrics", "off"), log)) {
            IdentityFile admin = awaitIdentity(data.resolve("admin.identity"));
            record Net(String name, Protection p, Persistence persistence, FsyncPolicy fsync) {
            }
            for (Net n : List.of(
                    new Net("d2r2 TLS SI", Protection.SI, Persistence.NONE, FsyncPolicy.NEVER),
                    new Net("d2r2 TLS PKS", Protection.PKS, Persistence.NONE, FsyncPolicy.NEVER),
                    new Net("d2r2 TLS + log SI", Protection.SI, Persistence.LOG, FsyncPolicy.NEVER),
                    new Net("d2r2 TLS + log PKS", Protection.PKS, Persistence.LOG, FsyncPolicy.NEVER),
                    new Net("d2r2 TLS + log fsync=always SI", Protection.SI, Persistence.LOG, FsyncPolicy.ALWAYS))) {
                if (!wanted(n.name())) {
                    continue;
                }
                java.time.Duration linger = java.time.Duration.ofNanos(lingerMicros * 1000);
                InetSocketAddress at = dev.d2r2.core.HostPort.parse(admin.broker());
                try (RemoteBrokerClient pub = RemoteBrokerClient.connect(admin, at, linger);
                     RemoteBrokerClient sub = RemoteBrokerClient.connect(admin, at, linger)) {
                    results.add(measure(new D2r2Transport(n.name(), pub, sub, n.p(), n.persistence(), n.fsync()), template, broker));
                }
            }
        }
        if (wanted("Mosquitto")) {
            int port = freePort();
            Path conf = work.resolve("mosquitto.conf");
            Files.createDirectories(work.resolve("mosquitto"));
            Files.writeString(conf, String.join("\n", "listener " + port + " 127.0.0.1", "allow_anonymous true",
                    "persistence true", "persistence_location " + work.resolve("mosquitto") + "/",
                    "max_inflight_messages 0", "max_queued_messages 0", "max_queued_bytes 0", "") );
            try (ServerProcess mosquitto = new ServerProcess(List.of("/usr/sbin/mosquitto", "-c", conf.toString()), log)) {
                awaitPort(port);
                results.add(measure(new MosquittoTransport(port), template, mosquitto));
            }
        }
        String report = report(results, template.length);
        System.out.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        // The servers' logs and data: gigabytes a next run should not find on the disk.
        Directories.deleteTree(work);
        return 0;
    }

    private boolean wanted(String name) {
        return only == null || name.contains(only);
    }

    private Result measure(Transport t, byte[] template, ServerProcess server) throws Exception {
        try (t) {
            AtomicLong received = new AtomicLong();
            Histogram[] current = {new Histogram(3_600_000_000_000L, 3)};
            CountDownLatch[] done = {null};
            long[] lastAt = {0};
            long[] target = {0};
            java.util.List<String> slow = java.util.Collections.synchronizedList(new ArrayList<>());
            long[] benchStart = {System.nanoTime()};
            t.subscribe(payload -> {
                long now = System.nanoTime();
                long latency = Math.max(0, now - BenchPayload.sentNanos(payload));
                current[0].recordValue(latency);
                if (stalls && latency > 10_000_000 && slow.size() < 100_000) {
                    slow.add(Long.toString((now - benchStart[0]) / 100_000_000L));
                }
                if (received.incrementAndGet() == target[0]) {
                    lastAt[0] = now;
                    done[0].countDown();
                }
            });
            long warmUntil = System.nanoTime() + Durations.parse(warmup).toNanos();
            do {
                run(t, template, Math.max(1000, events / 10), 0, received, target, done, current);
            } while (System.nanoTime() < warmUntil);
            double cpu0 = server == null ? 0 : server.cpuSeconds();
            long t0 = run(t, template, events, 0, received, target, done, current);
            double cpu = server == null ? Double.NaN : (server.cpuSeconds() - cpu0) / events * 1e6;
            double rate = events / ((lastAt[0] - t0) / 1e9);
            Histogram maxRateLatency = current[0];
            double paced = pacedRate > 0 ? pacedRate : rate / 2;
            slow.clear();
            benchStart[0] = System.nanoTime();
            run(t, template, (int) Math.max(1000, paced * Durations.parse(pacedFor).toNanos() / 1e9), paced, received,
                    target, done, current);
            Result r = new Result(t.name(), rate, maxRateLatency, paced, current[0], cpu);
            if (stalls) {
                java.util.Map<Integer, Long> byTenth = new java.util.TreeMap<>();
                for (String at : List.copyOf(slow)) {
                    byTenth.merge(Integer.parseInt(at), 1L, Long::sum);
                }
                System.out.println("paced run: deliveries over 10 ms per 100 ms since its start: " + byTenth);
            }
            System.out.printf("%-32s %10.0f events/s   p99 at %6.0f/s: %7.3f ms%n", r.name(), rate, paced,
                    r.pacedLatency().getValueAtPercentile(99) / 1e6);
            return r;
        }
    }

    /** Publishes {@code n} events (at {@code rate}/s, or as fast as possible when 0) and waits for all to arrive. */
    private static long run(Transport t, byte[] template, int n, double rate, AtomicLong received, long[] target,
                            CountDownLatch[] done, Histogram[] current) throws Exception {
        done[0] = new CountDownLatch(1);
        current[0] = new Histogram(3_600_000_000_000L, 3);
        target[0] = received.get() + n;
        long t0 = System.nanoTime();
        double gapNanos = rate > 0 ? 1e9 / rate : 0;
        for (int i = 0; i < n; i++) {
            if (gapNanos > 0) {
                long due = t0 + (long) (i * gapNanos);
                long wait;
                // Parking, not spinning: a spinning publisher would take a core from the server.
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            t.publish(BenchPayload.stamped(template, System.nanoTime()));
        }
        t.awaitAcknowledged();
        if (!done[0].await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException(t.name() + ": only " + received.get() + " of " + target[0] + " events arrived");
        }
        return t0;
    }

    static IdentityFile awaitIdentity(Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                IdentityFile id = IdentityFile.load(file);
                if (!id.broker().isEmpty()) {
                    return id;
                }
            }
            LockSupport.parkNanos(50_000_000);
        }
        throw new IOException("the d2r2 broker did not start (see its log)");
    }

    private static void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                LockSupport.parkNanos(50_000_000);
            }
        }
        throw new IOException("mosquitto did not listen on " + port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String report(List<Result> results, int bytes) {
        Result mosquitto = results.stream().filter(r -> r.name().startsWith("Mosquitto")).findFirst().orElse(null);
        StringBuilder sb = new StringBuilder();
        sb.append("# Broker benchmark, ").append(LocalDate.now()).append("\n\n")
                .append("One publisher, one subscriber, ").append(bytes).append("-byte events; ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores. Servers run in their own process; ")
                .append("clients in the benchmark JVM. Latency = publish → deliver, at max rate and paced at half of it.\n\n")
                .append("| scenario | events/s | × Mosquitto | p50 ms (½ max) | p99 ms (½ max) | p99.9 ms (½ max) | max ms (½ max) | p99 ms (max rate) | server CPU s / 10⁶ events |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            Histogram h = r.pacedLatency();
            sb.append(String.format("| %s | %.0f | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %s |%n", r.name(), r.eventsPerSecond(),
                    mosquitto == null ? "–" : String.format("%.2f", r.eventsPerSecond() / mosquitto.eventsPerSecond()),
                    h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6,
                    h.getMaxValue() / 1e6, r.maxRateLatency().getValueAtPercentile(99) / 1e6,
                    Double.isNaN(r.serverCpuPerMillion()) ? "–" : String.format("%.1f", r.serverCpuPerMillion())));
        }
        return sb.toString();
    }
}
