package dev.d2r2.bench;

import dev.d2r2.bridge.kafka.KafkaCluster;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The cluster benchmark's Kafka peer: a 3-broker Kafka 4.4 KRaft cluster on loopback (each node
 * broker and controller, its own JVM; TLS 1.3 for clients and replication; acks=all,
 * min.insync.replicas=2, one partition replicated 3 times). Measured: producer → consumer
 * throughput with 1 KiB event records at full speed; publish → deliver latency percentiles paced
 * at half that rate; leader failover, kill -9 of the partition leader → the next acknowledged send,
 * over {@code --kills} kills (the killed node restarts and rejoins the ISR between kills).
 */
@Command(name = "kafka-cluster-bench", mixinStandardHelpOptions = true)
public final class KafkaClusterBench implements Callable<Integer> {
    @Option(names = "--records", defaultValue = "200000", description = "Records in the full-speed run") int records;
    @Option(names = "--size", defaultValue = "1024", description = "Bytes per record") int size;
    @Option(names = "--warmup", defaultValue = "50000", description = "Records sent first, not measured") int warmup;
    @Option(names = "--paced-for", defaultValue = "5", description = "Seconds of the half-rate run") int pacedSeconds;
    @Option(names = "--kills", defaultValue = "5", description = "Leader kills for the failover figure") int kills;
    @Option(names = "--no-tls", description = "Plain text instead of TLS") boolean noTls;
    @Option(names = "--broker-heap", defaultValue = "1g") String heap;
    @Option(names = "--broker-property", paramLabel = "KEY=VALUE",
            description = "A broker setting over the defaults (e.g. broker.session.timeout.ms=2000)") List<String> brokerProperties = List.of();
    @Option(names = "--out", defaultValue = "bench/results/kafka-cluster-latest.md") Path out;

    private static final String TOPIC = "bench";

    private final StringBuilder results = new StringBuilder();
    private KafkaCluster kafka;
    private byte[] template;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaClusterBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        template = BenchPayload.template(size);
        Path dir = Files.createTempDirectory("d2r2-kafka-bench");
        Map<String, String> settings = new HashMap<>(Map.of("min.insync.replicas", "2"));
        for (String kv : brokerProperties) {
            int eq = kv.indexOf('=');
            settings.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        report("%s; load average %s; broker settings over the defaults: %s", java.time.Instant.now(), loadAverage(), settings);
        long t0 = System.nanoTime();
        try (KafkaCluster c = KafkaCluster.start(dir, 3, !noTls, settings,
                List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"), Duration.ofMinutes(5))) {
            kafka = c;
            report("Kafka 4.4 KRaft, 3 brokers (broker+controller each), %s, acks=all, min.insync.replicas=2, "
                    + "1 partition x 3 replicas, %d-byte records; up in %.1f s", noTls ? "plain text" : "TLS 1.3", size,
                    (System.nanoTime() - t0) / 1e9);
            c.createTopic(TOPIC, 1, 3);
            try (Latency latency = new Latency(); KafkaProducer<byte[], byte[]> producer = producer()) {
                latency.start();
                send(producer, warmup, 0);
                latency.awaitCount(warmup);
                latency.reset();
                long start = System.nanoTime();
                send(producer, records, 0);
                latency.awaitCount(records);
                double seconds = (latency.lastNanos.get() - start) / 1e9;
                double rate = records / seconds;
                Histogram full = latency.snapshot();
                report("full speed: %,d records in %.2f s = %,.0f records/s (%.1f MiB/s); latency p50 %.2f ms, p99 %.2f ms",
                        records, seconds, rate, rate * size / (1 << 20), full.getValueAtPercentile(50) / 1e6,
                        full.getValueAtPercentile(99) / 1e6);
                double half = rate / 2;
                int paced = (int) Math.max(1, half * pacedSeconds);
                latency.reset();
                send(producer, paced, half);
                latency.awaitCount(paced);
                Histogram h = latency.snapshot();
                report("half rate (%,.0f records/s for %d s): publish -> deliver p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms",
                        half, pacedSeconds, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
                        h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6);
            }
            failover();
        }
        report("load average at the end: %s", loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, "# Kafka 4.4 cluster peer (bench/kafka-cluster.sh)\n\n```\n" + results + "```\n");
        return 0;
    }

    /** Prints one line of figures and keeps it for the results file. */
    private void report(String format, Object... args) {
        String line = String.format(format, args);
        System.out.println(line);
        results.append(line).append('\n');
    }

    private static String loadAverage() throws java.io.IOException {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = new HashMap<>(kafka.clientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends {@code n} records stamped with their send time, as fast as the producer takes them or paced at {@code perSecond}. */
    private void send(KafkaProducer<byte[], byte[]> producer, int n, double perSecond) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (perSecond > 0) {
                long due = start + (long) (i * 1e9 / perSecond);
                LockSupport.parkNanos(due - System.nanoTime());
            }
            producer.send(new ProducerRecord<>(TOPIC, BenchPayload.stamped(template, System.nanoTime())));
        }
        producer.flush();
    }

    /** A consumer on its own thread, recording publish → deliver time of each record. */
    private final class Latency implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AtomicLong count = new AtomicLong();
        private final AtomicLong lastNanos = new AtomicLong();
        private volatile Histogram histogram = new Histogram(3_600_000_000_000L, 3);
        private volatile boolean running = true;
        private Thread thread;

        Latency() {
            Map<String, Object> p = new HashMap<>(kafka.clientProperties());
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
        }

        void start() {
            thread = Thread.ofPlatform().name("kafka-bench-consumer").start(() -> {
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        histogram.recordValue(Math.max(0, now - BenchPayload.sentNanos(r.value())));
                        lastNanos.set(now);
                        count.incrementAndGet();
                    }
                }
            });
        }

        void awaitCount(long n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (count.get() < n && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }

        void reset() {
            histogram = new Histogram(3_600_000_000_000L, 3);
            count.set(0);
        }

        Histogram snapshot() {
            return histogram.copy();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
            consumer.close();
        }
    }

    /** kill -9 of the partition's leader, then one send: the time from the kill to its acknowledgement. */
    private void failover() throws Exception {
        List<Double> times = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(); Admin admin = kafka.admin()) {
            for (int k = 0; k < kills; k++) {
                awaitFullIsr(admin);
                producer.send(new ProducerRecord<>(TOPIC, template)).get();
                int leader = leader(admin).leader().id();
                KafkaCluster.Node victim = kafka.node(leader);
                long killed = System.nanoTime();
                kafka.kill(victim);
                producer.send(new ProducerRecord<>(TOPIC, template)).get(120, TimeUnit.SECONDS);
                double s = (System.nanoTime() - killed) / 1e9;
                times.add(s);
                int next = leader(admin).leader().id();
                report("kill %d: leader %d killed, next acknowledged send after %.3f s (new leader %d)", k + 1, leader, s, next);
                kafka.restart(victim);
            }
        }
        times.sort(Double::compare);
        if (!times.isEmpty()) {
            report("failover over %d kills: p50 %.3f s, p95 %.3f s, max %.3f s",
                    times.size(), times.get((times.size() - 1) / 2), times.get((int) Math.ceil(times.size() * 0.95) - 1),
                    times.getLast());
        }
    }

    private static TopicPartitionInfo leader(Admin admin) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
        return d.partitions().getFirst();
    }

    private static void awaitFullIsr(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            try {
                TopicPartitionInfo p = leader(admin);
                if (p.leader() != null && p.isr().size() == 3) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                // a node is still starting: ask again
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException("the partition's ISR did not come back to 3 replicas");
    }
}
