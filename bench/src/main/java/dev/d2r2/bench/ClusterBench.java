package dev.d2r2.bench;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.ForwardedPublisher;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.tls.ClusterCa;
import dev.d2r2.cluster.tls.RaftTls;
import dev.d2r2.cluster.raft.ClusterClient;
import dev.d2r2.cluster.raft.ClusterStatus;
import dev.d2r2.core.Directories;
import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A 3-replica d2r2 cluster (three {@code d2r2 broker --cluster} processes on this host) with a
 * {@code durability: replicated} channel: throughput and publish→deliver latency (publisher on
 * one replica, subscriber on another, TLS, log), then failover times (kill -9 of the leader →
 * the next acknowledged publish); and publish→deliver latency of a {@code durability: forwarded}
 * channel beside the replicated one at one moderate rate. Not a test: it prints figures and
 * asserts nothing.
 */
@Command(name = "cluster-bench", mixinStandardHelpOptions = true,
        description = "Benchmark a 3-replica d2r2 cluster: replicated channel throughput, latency, failover.")
public final class ClusterBench implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--events", defaultValue = "100000", description = "Events per measured run (${DEFAULT-VALUE})")
    int events;

    @Option(names = "--size", defaultValue = "1024", description = "Event size in bytes (${DEFAULT-VALUE})")
    int size;

    @Option(names = "--paced-for", defaultValue = "5s", description = "How long the paced latency run lasts (${DEFAULT-VALUE})")
    String pacedFor;

    @Option(names = "--kills", defaultValue = "20", description = "Leader kills for the failover figures (${DEFAULT-VALUE})")
    int kills;

    @Option(names = "--forwarded-rate", defaultValue = "1000",
            description = "Rate of the forwarded-vs-replicated latency run, events/s; 0 skips it (${DEFAULT-VALUE})")
    double forwardedRate;

    @Option(names = "--raft-tls", defaultValue = "on",
            description = "Raft between the replicas and their clients over mutual TLS: on, off, or both (a plain cluster,"
                    + " then a TLS one, in this run, with the ratio of their maximum rates) (${DEFAULT-VALUE})")
    String raftTls;

    @Option(names = "--failover-only", description = "Skip the throughput and latency runs: leader kills only")
    boolean failoverOnly;

    private static final List<String> NAMES = List.of("b1", "b2", "b3");
    private final Map<String, ServerProcess> running = new LinkedHashMap<>();
    private Path work;
    private Path clusterFile;
    private final Map<String, Integer> clientPorts = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<Boolean> modes = switch (raftTls) {
            case "on" -> List.of(true);
            case "off" -> List.of(false);
            case "both" -> List.of(false, true);
            default -> throw new IllegalArgumentException("--raft-tls is on, off or both, not " + raftTls);
        };
        Map<Boolean, Double> maxRate = new LinkedHashMap<>();
        for (boolean tls : modes) {
            maxRate.put(tls, runCluster(tls));
        }
        if (maxRate.size() == 2) {
            System.out.printf("Raft TLS / plain, maximum rate of the replicated channel: %.2f%n",
                    maxRate.get(true) / maxRate.get(false));
        }
        return 0;
    }

    /** One cluster, Raft over TLS or not: all the runs; returns the replicated channel's maximum rate. */
    private double runCluster(boolean tls) throws Exception {
        work = Files.createTempDirectory("d2r2-cluster-bench");
        running.clear();
        clientPorts.clear();
        writeClusterFile(tls);
        for (String n : NAMES) {
            start(n);
        }
        ClusterFile file = ClusterFile.load(clusterFile);
        try (ClusterClient cluster = new ClusterClient(file, RaftTls.load(file, RaftTls.defaultKeyFile(clusterFile, "client")))) {
            String leader = awaitLeader(cluster);
            IdentityFile admin = identityAt(BrokerBench.awaitIdentity(work.resolve(leader).resolve("admin.identity")), leader);
            byte[] secret;
            String tag = "bench-replicated";
            try (RemoteBrokerClient c = RemoteBrokerClient.connect(admin, HostPort.parse(admin.broker()))) {
                secret = c.register("bench", null, true);
                c.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER)
                        .withQueue(65536, OverflowPolicy.BLOCK).withDurability(Durability.REPLICATED), Set.of("*"), Set.of("*")));
            }
            String follower = NAMES.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
            System.out.printf("cluster benchmark: 3 replicas (leader %s, Raft %s), %d events of %d bytes, %d cores, work dir %s%n",
                    leader, tls ? "over mutual TLS" : "in plain text", events, size, Runtime.getRuntime().availableProcessors(),
                    work);
            double rate = Double.NaN;
            if (!failoverOnly) {
                rate = throughputAndLatency(bench(secret, leader), bench(secret, follower), tag);
                if (forwardedRate > 0) {
                    forwardedVsReplicated(cluster, secret, tag);
                }
            }
            failovers(cluster, secret, tag);
            return rate;
        } finally {
            for (ServerProcess p : running.values()) {
                p.close();
            }
            Directories.deleteTree(work);
        }
    }

    /** The cluster file, and with {@code tls} its CA and the replicas' and client's key files beside it. */
    private void writeClusterFile(boolean tls) throws IOException {
        StringBuilder yaml = new StringBuilder("group: bench\nf: 1\nreplicas:\n");
        for (String n : NAMES) {
            yaml.append("  - name: ").append(n).append("\n    address: 127.0.0.1:").append(freePort())
                    .append("\n    publicKey: ").append(Base64.getEncoder().encodeToString(
                            Crypto.newSigningKeyPair().getPublic().getEncoded())).append('\n');
            clientPorts.put(n, freePort());
        }
        clusterFile = work.resolve("cluster.yaml");
        if (tls) {
            ClusterCa ca = ClusterCa.loadOrCreate(work, "bench", Duration.ofDays(1));
            for (String n : NAMES) {
                ca.issue(n, Optional.of("127.0.0.1"), Duration.ofDays(1));
            }
            ca.issue("client", Optional.empty(), Duration.ofDays(1));
            yaml.append("tls:\n  ca: ").append(ClusterCa.CERTIFICATE_FILE).append('\n');
        }
        Files.writeString(clusterFile, yaml);
    }

    /** Starts replica {@code name}, forwarding to the others once their forwarding identities are written. */
    private void start(String name) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("broker", "--cluster", clusterFile.toString(), "--id", name,
                "--listen", "127.0.0.1:" + clientPorts.get(name), "--data", work.resolve(name).toString(), "--metrics", "off"));
        for (String other : NAMES) {
            Path forward = work.resolve("forward-" + other + ".identity");
            if (!other.equals(name) && Files.exists(forward)) {
                args.addAll(List.of("--forward-to", forward.toString()));
            }
        }
        running.put(name, new ServerProcess(ServerProcess.d2r2(args.toArray(String[]::new)), work.resolve(name + ".log")));
    }

    private IdentityFile identityAt(IdentityFile any, String replica) throws Exception {
        IdentityFile own = BrokerBench.awaitIdentity(work.resolve(replica).resolve("admin.identity"));
        return new IdentityFile(any.name(), any.secret(), any.signingKey(), any.publicKey(), own.broker(),
                own.brokerCertificatePem());
    }

    private IdentityFile bench(byte[] secret, String replica) throws Exception {
        IdentityFile own = BrokerBench.awaitIdentity(work.resolve(replica).resolve("admin.identity"));
        return new IdentityFile("bench", secret, own.signingKey(), own.publicKey(), own.broker(), own.brokerCertificatePem());
    }

    private static RemoteBrokerClient connect(IdentityFile id) throws IOException {
        return RemoteBrokerClient.connect(id, HostPort.parse(id.broker()));
    }

    private double throughputAndLatency(IdentityFile publisherSide, IdentityFile subscriberSide, String tag) throws Exception {
        byte[] template = BenchPayload.template(size);
        LatencyProbe probe = new LatencyProbe();
        LatencyProbe onLeader = new LatencyProbe();
        try (RemoteBrokerClient pub = connect(publisherSide); RemoteBrokerClient sub = connect(subscriberSide);
             Publisher p = pub.publisher(tag)) {
            sub.subscribe(tag, StartPosition.live(), probe::delivered);
            probe.run(p, template, Math.max(1000, events / 10), 0);
            long t0 = probe.run(p, template, events, 0);
            double rate = events / ((probe.lastAt - t0) / 1e9);
            Histogram atMax = probe.current;
            double paced = rate / 2;
            // a second subscriber, on the leader, tells the commit's cost from the follower's learning of it
            pub.subscribe(tag, StartPosition.live(), onLeader::delivered);
            probe.run(p, template, (int) Math.max(1000, paced * Durations.parse(pacedFor).toNanos() / 1e9), paced, onLeader);
            System.out.printf("replicated channel, clients over TLS, 1 publisher on the leader, 1 subscriber on a follower:%n"
                            + "  max rate %.0f events/s (p99 at max rate %.2f ms)%n"
                            + "  paced at %.0f/s: %s%n"
                            + "  the same events at a subscriber on the leader: %s%n",
                    rate, atMax.getValueAtPercentile(99) / 1e6, paced, LatencyProbe.summary(probe.current),
                    LatencyProbe.summary(onLeader.current));
            return rate;
        }
    }

    /**
     * Publish→deliver latency of {@code forwarded} against {@code replicated} at one moderate rate:
     * every replica restarted with {@code --forward-to} the other two, a {@link ForwardedPublisher}
     * on two replicas, the subscriber on the third (it gets forwarded copies only); then the
     * replicated channel, publisher on the leader, subscriber on a follower.
     */
    private void forwardedVsReplicated(ClusterClient cluster, byte[] secret, String replicatedTag) throws Exception {
        String tag = "bench-forwarded";
        try (RemoteBrokerClient c = connect(bench(secret, awaitLeader(cluster)))) {
            c.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER)
                    .withQueue(65536, OverflowPolicy.BLOCK).withDurability(Durability.FORWARDED), Set.of("*"), Set.of("*")));
        }
        for (String n : NAMES) {
            bench(secret, n).save(work.resolve("forward-" + n + ".identity"));
        }
        for (String n : NAMES) {
            running.remove(n).close();
            start(n);
            awaitConverged(cluster);
        }
        byte[] template = BenchPayload.template(size);
        int n = (int) Math.max(1000, forwardedRate * Durations.parse(pacedFor).toNanos() / 1e9);
        LatencyProbe forwarded = new LatencyProbe();
        try (RemoteBrokerClient a = connect(bench(secret, NAMES.get(0))); RemoteBrokerClient b = connect(bench(secret, NAMES.get(1)));
             RemoteBrokerClient sub = connect(bench(secret, NAMES.get(2)));
             ForwardedPublisher p = ForwardedPublisher.open(List.of(a, b), 1, tag)) {
            sub.subscribe(tag, StartPosition.live(), forwarded::delivered);
            forwarded.run(p, template, Math.max(500, n / 10), forwardedRate);
            forwarded.run(p, template, n, forwardedRate);
        }
        String leader = awaitLeader(cluster);
        String follower = NAMES.stream().filter(r -> !r.equals(leader)).findFirst().orElseThrow();
        LatencyProbe replicated = new LatencyProbe();
        try (RemoteBrokerClient pub = connect(bench(secret, leader)); RemoteBrokerClient sub = connect(bench(secret, follower));
             Publisher p = pub.publisher(replicatedTag)) {
            sub.subscribe(replicatedTag, StartPosition.live(), replicated::delivered);
            replicated.run(p, template, Math.max(500, n / 10), forwardedRate);
            replicated.run(p, template, n, forwardedRate);
        }
        System.out.printf("paced at %.0f events/s, %d events, TLS, log, fsync never:%n"
                        + "  forwarded (publisher on 2 replicas, subscriber on the 3rd: forwarded copies): %s%n"
                        + "  replicated (publisher on the leader, subscriber on a follower):                %s%n",
                forwardedRate, n, LatencyProbe.summary(forwarded.current), LatencyProbe.summary(replicated.current));
    }

    /** Records publish→deliver latencies of the events one subscriber receives, run by run. */
    private static final class LatencyProbe {
        final AtomicLong received = new AtomicLong();
        volatile Histogram current = new Histogram(3_600_000_000_000L, 3);
        volatile CountDownLatch done = new CountDownLatch(1);
        volatile long target = Long.MAX_VALUE;
        volatile long lastAt;

        void delivered(dev.d2r2.broker.Delivery d) {
            long now = System.nanoTime();
            current.recordValue(Math.max(0, now - BenchPayload.sentNanos(d.payload())));
            if (received.incrementAndGet() == target) {
                lastAt = now;
                done.countDown();
            }
        }

        static String summary(Histogram h) {
            return String.format("p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms", h.getValueAtPercentile(50) / 1e6,
                    h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6);
        }

        /** Starts a new run in which this probe expects {@code n} more events. */
        void expect(int n) {
            done = new CountDownLatch(1);
            current = new Histogram(3_600_000_000_000L, 3);
            target = received.get() + n;
        }

        void awaitExpected() throws InterruptedException {
            if (!done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("only " + received.get() + " of " + target + " events arrived");
            }
        }

        /**
         * Publishes {@code n} events ({@code rate} per second, 0: as fast as it can) and waits for all, here and at the
         * other subscribers' probes {@code also}; returns the start.
         */
        long run(Publisher p, byte[] template, int n, double rate, LatencyProbe... also) throws Exception {
            expect(n);
            for (LatencyProbe other : also) {
                other.expect(n);
            }
            long t0 = System.nanoTime();
            double gapNanos = rate > 0 ? 1e9 / rate : 0;
            long last = 0;
            for (int i = 0; i < n; i++) {
                if (gapNanos > 0) {
                    long due = t0 + (long) (i * gapNanos);
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                last = p.publish(BenchPayload.stamped(template, System.nanoTime()));
            }
            p.awaitAcknowledged(last, Duration.ofMinutes(2));
            awaitExpected();
            for (LatencyProbe other : also) {
                other.awaitExpected();
            }
            return t0;
        }
    }

    /**
     * Kills the leader {@code kills} times while a publisher on another replica publishes an
     * event every 5 ms, each awaited: the failover time is from the kill to the first
     * acknowledgement of an event published after it. The killed replica is restarted and has
     * applied the whole log (events included) before the next kill: a leader elected while it
     * still replays would answer only once it has applied up to the new entries.
     */
    private void failovers(ClusterClient cluster, byte[] secret, String tag) throws Exception {
        Histogram times = new Histogram(3_600_000_000_000L, 3);
        byte[] template = BenchPayload.template(size);
        String loadBefore = loadAverage();
        for (int k = 0; k < kills; k++) {
            String leader = awaitLeader(cluster);
            String through = NAMES.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
            try (RemoteBrokerClient c = connect(bench(secret, through)); Publisher p = c.publisher(tag)) {
                p.awaitAcknowledged(p.publish(template), Duration.ofSeconds(30));
                long killed = System.nanoTime();
                running.remove(leader).process.destroyForcibly();
                long seq = p.publish(template);
                p.awaitAcknowledged(seq, Duration.ofSeconds(60));
                long took = System.nanoTime() - killed;
                times.recordValue(took);
                System.out.printf("  kill %d: leader %s killed, next publish through %s acknowledged after %.0f ms%n",
                        k + 1, leader, through, took / 1e6);
            }
            start(leader);
            awaitConverged(cluster);
        }
        System.out.printf("failover (kill -9 leader -> next acknowledged publish) over %d kills: p50 %.0f ms, p95 %.0f ms,"
                        + " max %.0f ms (load average %s before the kills, %s after)%n", kills,
                times.getValueAtPercentile(50) / 1e6, times.getValueAtPercentile(95) / 1e6, times.getMaxValue() / 1e6,
                loadBefore, loadAverage());
    }

    /** The host's 1, 5 and 15-minute load averages: failover times on a shared host depend on them. */
    private static String loadAverage() throws IOException {
        Path loadavg = Path.of("/proc/loadavg");
        if (!Files.exists(loadavg)) {
            return "unknown";
        }
        String[] f = Files.readString(loadavg).trim().split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static String awaitLeader(ClusterClient cluster) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                ClusterStatus s = cluster.status();
                if (s.leader().isPresent()) {
                    return s.leader().get();
                }
            } catch (IOException e) {
                // not up yet
            }
            LockSupport.parkNanos(100_000_000);
        }
        throw new IOException("no leader within 120 s");
    }

    private static void awaitConverged(ClusterClient cluster) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            try {
                ClusterStatus s = cluster.status();
                if (s.converged() && s.peers().stream().allMatch(p -> p.lag() == 0)) {
                    return;
                }
            } catch (IOException e) {
                // a replica still starting
            }
            LockSupport.parkNanos(100_000_000);
        }
        throw new IOException("the replicas did not converge (same digest, nothing left to apply) within 300 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
