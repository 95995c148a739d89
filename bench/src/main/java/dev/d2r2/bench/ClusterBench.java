package dev.d2r2.bench;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.cluster.config.ClusterFile;
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
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A 3-replica d2r2 cluster (three {@code d2r2 broker --cluster} processes on this host) with a
 * {@code durability: replicated} channel: throughput and publish→deliver latency (publisher on
 * one replica, subscriber on another, TLS, log), then failover times (kill -9 of the leader →
 * the next acknowledged publish). Not a test: it prints figures and asserts nothing.
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
        work = Files.createTempDirectory("d2r2-cluster-bench");
        writeClusterFile();
        for (String n : NAMES) {
            start(n);
        }
        try (ClusterClient cluster = new ClusterClient(ClusterFile.load(clusterFile))) {
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
            System.out.printf("cluster benchmark: 3 replicas (leader %s), %d events of %d bytes, %d cores, work dir %s%n",
                    leader, events, size, Runtime.getRuntime().availableProcessors(), work);
            throughputAndLatency(bench(secret, leader), bench(secret, follower), tag);
            failovers(cluster, secret, tag);
        } finally {
            for (ServerProcess p : running.values()) {
                p.close();
            }
            Directories.deleteTree(work);
        }
        return 0;
    }

    private void writeClusterFile() throws IOException {
        StringBuilder yaml = new StringBuilder("group: bench\nf: 1\nreplicas:\n");
        for (String n : NAMES) {
            yaml.append("  - name: ").append(n).append("\n    address: 127.0.0.1:").append(freePort())
                    .append("\n    publicKey: ").append(Base64.getEncoder().encodeToString(
                            Crypto.newSigningKeyPair().getPublic().getEncoded())).append('\n');
            clientPorts.put(n, freePort());
        }
        clusterFile = work.resolve("cluster.yaml");
        Files.writeString(clusterFile, yaml);
    }

    private void start(String name) throws IOException {
        running.put(name, new ServerProcess(ServerProcess.d2r2("broker", "--cluster", clusterFile.toString(), "--id", name,
                "--listen", "127.0.0.1:" + clientPorts.get(name), "--data", work.resolve(name).toString(),
                "--metrics", "off"), work.resolve(name + ".log")));
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

    private void throughputAndLatency(IdentityFile publisherSide, IdentityFile subscriberSide, String tag) throws Exception {
        byte[] template = BenchPayload.template(size);
        AtomicLong received = new AtomicLong();
        Histogram[] current = {new Histogram(3_600_000_000_000L, 3)};
        CountDownLatch[] done = {new CountDownLatch(1)};
        long[] target = {Long.MAX_VALUE};
        long[] lastAt = {0};
        try (RemoteBrokerClient pub = connect(publisherSide); RemoteBrokerClient sub = connect(subscriberSide);
             Publisher p = pub.publisher(tag)) {
            sub.subscribe(tag, StartPosition.live(), d -> {
                long now = System.nanoTime();
                current[0].recordValue(Math.max(0, now - BenchPayload.sentNanos(d.payload())));
                if (received.incrementAndGet() == target[0]) {
                    lastAt[0] = now;
                    done[0].countDown();
                }
            });
            run(p, template, Math.max(1000, events / 10), 0, received, target, done, current);
            long t0 = run(p, template, events, 0, received, target, done, current);
            double rate = events / ((lastAt[0] - t0) / 1e9);
            Histogram atMax = current[0];
            double paced = rate / 2;
            run(p, template, (int) Math.max(1000, paced * Durations.parse(pacedFor).toNanos() / 1e9), paced, received,
                    target, done, current);
            System.out.printf("replicated channel, TLS, 1 publisher on the leader, 1 subscriber on a follower:%n"
                            + "  max rate %.0f events/s (p99 at max rate %.2f ms)%n"
                            + "  paced at %.0f/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                    rate, atMax.getValueAtPercentile(99) / 1e6, paced, current[0].getValueAtPercentile(50) / 1e6,
                    current[0].getValueAtPercentile(99) / 1e6, current[0].getValueAtPercentile(99.9) / 1e6,
                    current[0].getMaxValue() / 1e6);
        }
    }

    private static long run(Publisher p, byte[] template, int n, double rate, AtomicLong received, long[] target,
                            CountDownLatch[] done, Histogram[] current) throws Exception {
        done[0] = new CountDownLatch(1);
        current[0] = new Histogram(3_600_000_000_000L, 3);
        target[0] = received.get() + n;
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
        if (!done[0].await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("only " + received.get() + " of " + target[0] + " events arrived");
        }
        return t0;
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
                        + " max %.0f ms%n", kills, times.getValueAtPercentile(50) / 1e6, times.getValueAtPercentile(95) / 1e6,
                times.getMaxValue() / 1e6);
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
