package dev.d2r2.bench;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.client.ReplicatedPublisher;
import dev.d2r2.broker.client.VotedSubscription;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.HostPort;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Byzantine channels on this machine, n = 4 (f = 1), every replica a process of its own:
 * {@code ordered} (basic HotStuff over signed TCP links, {@link BftNetNode}) and {@code voted}
 * (four single-node brokers, HA protection, a {@link ReplicatedPublisher} and a
 * {@link VotedSubscription} in this process). Prints events per second beside BFT-SMaRt's
 * published figure. Not a test: it asserts nothing.
 */
@Command(name = "bft-net-bench", mixinStandardHelpOptions = true)
public final class BftNetBench implements Callable<Integer> {
    /** BFT-SMaRt (Bessani, Sousa, Alchieri, DSN 2014): about 16.5k requests/s, 1 KiB, f = 1, on real servers. */
    private static final int BFT_SMART_REQ_PER_S = 16_500;
    private static final int N = 4;

    @Option(names = "--only", description = "ordered or voted (default both)") String only;
    @Option(names = "--commands", defaultValue = "100000", description = "ordered: commands in all") long commands;
    @Option(names = "--events", defaultValue = "200000", description = "voted: events published") int events;
    @Option(names = "--subscribe-to", defaultValue = "3", description = "voted: replicas the subscriber subscribes to,"
            + " 2f + 1 = 3 (enough: they include f + 1 correct ones) to 4") int subscribeTo;
    @Option(names = "--copies", defaultValue = "WHOLE", description = "voted: WHOLE (every subscribed replica sends"
            + " every event) or DIGESTS (one sends the events, the others each event's publisher, sequence number and"
            + " SHA-256)") VotedSubscription.Copies copies;
    @Option(names = "--warmup", defaultValue = "100000", description = "voted: events published and delivered before the"
            + " measured ones, so that the figures are those of compiled code (the JIT of five fresh JVMs on a loaded"
            + " machine otherwise takes much of a short run)") int warmup;
    @Option(names = "--size", defaultValue = "1024", description = "Bytes per command or event") int size;
    @Option(names = "--batch", defaultValue = "1000", description = "ordered: commands per block") int batch;
    @Option(names = "--timeout-ms", defaultValue = "1000", description = "ordered: a view's first timeout") long timeoutMs;
    @Option(names = "--crypto", defaultValue = "jdk", description = "ordered: Ed25519 of the JDK or bouncycastle") String crypto;

    private final List<Process> children = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new BftNetBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("d2r2-bftnet-bench");
        System.out.printf("Byzantine channels, n = %d (f = 1), one process per replica, %d cores, %d-byte events%n",
                N, Runtime.getRuntime().availableProcessors(), size);
        try {
            if (only == null || only.equals("ordered")) {
                ordered(work);
            }
            if (only == null || only.equals("voted")) {
                voted(work);
            }
        } finally {
            for (Process p : children) {
                p.destroyForcibly().waitFor();
            }
        }
        System.out.printf("reference: BFT-SMaRt (published, real servers, 1 KiB, f = 1): about %,d req/s%n",
                BFT_SMART_REQ_PER_S);
        return 0;
    }

    private void ordered(Path work) throws Exception {
        StringBuilder cluster = new StringBuilder("f: 1\nreplicas:\n");
        for (int i = 0; i < N; i++) {
            KeyPair k = Crypto.newSigningKeyPair();
            Files.writeString(work.resolve("r" + i + ".key"), Base64.getEncoder().encodeToString(k.getPrivate().getEncoded()));
            cluster.append("  - name: r").append(i).append("\n    address: 127.0.0.1:").append(freePort())
                    .append("\n    publicKey: ").append(Base64.getEncoder().encodeToString(k.getPublic().getEncoded()))
                    .append('\n');
        }
        Path file = work.resolve("cluster.yaml");
        Files.writeString(file, cluster);
        List<Process> nodes = new ArrayList<>();
        List<BufferedReader> outs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            Process p = java(work.resolve("r" + i + ".log"), "-Xms512m", "-Xmx1g", BftNetNode.class.getName(),
                    file.toString(), "r" + i, work.resolve("r" + i + ".key").toString(), Long.toString(commands),
                    Integer.toString(size), Integer.toString(batch), Long.toString(timeoutMs), crypto);
            nodes.add(p);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            outs.add(out);
            expect(out, "READY");
        }
        for (Process p : nodes) {
            PrintWriter in = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
            in.println("go");
        }
        double slowest = 0;
        double cpu = 0;
        long decided = Long.MAX_VALUE;
        for (int i = 0; i < N; i++) {
            String done = expect(outs.get(i), "DONE ");
            String[] f = done.split(" ");
            decided = Math.min(decided, Long.parseLong(f[1]));
            slowest = Math.max(slowest, Double.parseDouble(f[2]));
            cpu += Double.parseDouble(f[3]);
            System.out.println("  replica " + i + ": " + done.substring(5));
        }
        System.out.printf("ordered (basic HotStuff, batch %d, Ed25519 %s): %,d commands decided by every replica in %.2f s: "
                + "%,.0f events/s (floor 5,000)%n", batch, crypto, decided, slowest, decided / slowest);
        cpuBound("ordered", decided, cpu, slowest);
        for (Process p : nodes) {
            p.destroyForcibly().waitFor();
        }
    }

    private void voted(Path work) throws Exception {
        KeyPair pubKeys = Crypto.newSigningKeyPair();
        KeyPair subKeys = Crypto.newSigningKeyPair();
        List<RemoteBrokerClient> publishing = new ArrayList<>();
        List<RemoteBrokerClient> subscribing = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            Path data = work.resolve("b" + i);
            Files.createDirectories(data);
            Process p = java(work.resolve("b" + i + ".log"), "-Xms256m", "-Xmx1g", BftNetBroker.class.getName(), data.toString());
            expect(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)), "PORT ");
            IdentityFile admin = IdentityFile.load(data.resolve("admin.identity"));
            try (RemoteBrokerClient c = RemoteBrokerClient.connect(admin)) {
                c.createChannel(new ChannelSpec("critical", ChannelClass.DEFAULT
                        .withQueue(1 << 20, OverflowPolicy.BLOCK).withProtection(FaultModel.BYZANTINE, Protection.HA),
                        Set.of("pub"), Set.of("sub")));
                publishing.add(RemoteBrokerClient.connect(identity(c, admin, "pub", pubKeys),
                        HostPort.parse(admin.broker()), Duration.ofMillis(2)));
                subscribing.add(RemoteBrokerClient.connect(identity(c, admin, "sub", subKeys)));
            }
        }
        AtomicLong delivered = new AtomicLong();
        long[] lastNanos = new long[1];
        Object done = new Object();
        long total = (long) warmup + events;
        List<RemoteBrokerClient> voters = subscribing.subList(0, subscribeTo);
        try (VotedSubscription sub = VotedSubscription.open(voters, 1, "critical", StartPosition.live(),
                VotedSubscription.DEFAULT_WINDOW, VotedSubscription.DEFAULT_STALL_TIMEOUT, copies, d -> {
            long n = delivered.incrementAndGet();
            if (n == warmup || n == total) {
                synchronized (done) {
                    lastNanos[0] = System.nanoTime();
                    done.notifyAll();
                }
            }
        }); ReplicatedPublisher pub = ReplicatedPublisher.open(publishing, 1, "critical")) {
            byte[] payload = new byte[size];
            publish(pub, payload, 1, warmup, System.nanoTime() + TimeUnit.MINUTES.toNanos(4));
            awaitDelivered(delivered, warmup, done, System.nanoTime() + TimeUnit.MINUTES.toNanos(4));
            String loadBefore = loadAverage();
            long cpuBefore = cpuNanos();
            long ownBefore = ownCpuNanos();
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MINUTES.toNanos(5);
            publish(pub, payload, warmup + 1, total, deadline);
            awaitDelivered(delivered, total, done, deadline);
            long measured = delivered.get() - warmup;
            double seconds = ((measured >= events ? lastNanos[0] : System.nanoTime()) - start) / 1e9;
            System.out.printf("voted (4 brokers, HA, publish to all, subscribe to %d, %s copies, deliver on f + 1 = 2"
                    + " matching): %,d of %,d events "
                    + "delivered in %.2f s after %,d warm-up events: %,.0f events/s (floor 20,000); skipped %d, "
                    + "disagreements %d, carrier changes %d%n", subscribeTo, copies.name().toLowerCase(), measured, events,
                    seconds, warmup, measured / seconds, sub.skipped(),
                    IntStream.range(0, subscribeTo).mapToLong(sub::disagreements).sum(), sub.carrierChanges());
            cpuBound("voted", measured, (cpuNanos() - cpuBefore) / 1e9, seconds);
            System.out.printf("  voted: of which %.1f CPU-seconds in the publishing and subscribing process; load average"
                    + " %s at the start, %s at the end%n", (ownCpuNanos() - ownBefore) / 1e9, loadBefore, loadAverage());
        }
        publishing.forEach(RemoteBrokerClient::close);
        subscribing.forEach(RemoteBrokerClient::close);
    }

    /** Publishes events {@code from} to {@code to}, at most 20,000 ahead of the acknowledgements. */
    private static void publish(ReplicatedPublisher pub, byte[] payload, long from, long to, long deadline)
            throws TimeoutException {
        for (long i = from; i <= to && System.nanoTime() < deadline; i++) {
            if (i - pub.acknowledged() > 20_000) {
                pub.awaitAcknowledged(i - 10_000, Duration.ofMinutes(1));
            }
            ByteBuffer.wrap(payload).putLong(i);
            pub.publish(payload.clone());
        }
    }

    private static void awaitDelivered(AtomicLong delivered, long count, Object done, long deadline)
            throws InterruptedException {
        synchronized (done) {
            while (delivered.get() < count && System.nanoTime() < deadline) {
                done.wait(100);
            }
        }
    }

    /**
     * The machine is shared: the rate the same work would reach if it had both cores to itself,
     * from the CPU time all its processes spent.
     */
    private static void cpuBound(String what, long done, double cpuSeconds, double seconds) {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("  %s: %.1f CPU-seconds in all processes over %.1f s (%.0f%% of %d cores), %.0f µs per event: "
                + "%,.0f events/s if the work had the cores to itself%n", what, cpuSeconds, seconds,
                100 * cpuSeconds / (seconds * cores), cores, cpuSeconds * 1e6 / done, done / (cpuSeconds / cores));
    }

    /** The machine's 1-minute load average: the share of it the run had depends on it. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** CPU time of this process and of the replica processes it started. */
    private long cpuNanos() {
        long total = ownCpuNanos();
        for (Process p : children) {
            total += p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
        return total;
    }

    static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static IdentityFile identity(RemoteBrokerClient admin, IdentityFile adminId, String name, KeyPair keys) {
        byte[] secret = admin.register(name, keys.getPublic(), false);
        return new IdentityFile(name, secret, keys.getPrivate(), keys.getPublic(), adminId.broker(),
                adminId.brokerCertificatePem());
    }

    private Process java(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        children.add(p);
        return p;
    }

    private static String expect(BufferedReader out, String prefix) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("a replica process ended before printing " + prefix.strip());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
