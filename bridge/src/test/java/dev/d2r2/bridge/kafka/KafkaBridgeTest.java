package dev.d2r2.bridge.kafka;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.testing.MadeOnce;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both directions against a real single-node KRaft Kafka (one per class, a child JVM from the
 * {@code kafka_2.13} jars) and a real d2r2 broker with its TLS listener, clients connecting with
 * identity files as the CLI does.
 */
class KafkaBridgeTest {
    @TempDir
    static Path kafkaDir;
    static KafkaCluster kafka;

    @TempDir
    Path dir;
    Broker broker;
    BrokerServer server;
    IdentityFile admin;
    BrokerClient client;
    final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaCluster.startSingle(kafkaDir);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @BeforeEach
    void startBroker() throws Exception {
        MadeOnce.copyInto(dir.resolve("broker"), "broker-tls", TlsMaterial::loadOrCreate);
        broker = Broker.open(dir.resolve("broker"), Clock.system());
        server = BrokerServer.start(broker, new java.net.InetSocketAddress("127.0.0.1", 0));
        admin = IdentityFile.load(broker.adminIdentityPath());
        client = RemoteBrokerClient.connect(admin);
    }

    @AfterEach
    void stopBroker() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        client.close();
        server.close();
        broker.close();
    }

    private void loggedChannel(String tag) {
        client.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER)
                .withQueue(ChannelClass.DEFAULT_QUEUE_CAPACITY, OverflowPolicy.BLOCK), Set.of("*"), Set.of("*")));
    }

    private KafkaBridgeConfig config(String channel, String topic) {
        return KafkaBridgeConfig.of(channel, topic, kafka.bootstrap(), dir.resolve("bridge")).startingEarliest();
    }

    private KafkaConsumer<byte[], byte[]> consumer(String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + topic, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        closing.add(c);
        return c;
    }

    /** Reads the topic until {@code done} says it has enough (or the time is up). */
    private static List<ConsumerRecord<byte[], byte[]>> readUntil(KafkaConsumer<byte[], byte[]> c,
                                                                  List<ConsumerRecord<byte[], byte[]>> into,
                                                                  java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.test(into) && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(into::add);
        }
        return into;
    }

    private static Event alarm(String source, long i) {
        return Event.state("cpu.high", 1_000 + i, source, "ok", "critical", Map.of("i", i));
    }

    @Test
    void outSendsEachEventKeyedBySourceWithHeadersAndInOrderPerKey() throws Exception {
        loggedChannel("alarms");
        kafka.createTopic("alarms-out", 3, 1);
        KafkaOutBridge bridge = new KafkaOutBridge(client, config("alarms", "alarms-out"), Clock.system());
        closing.add(bridge);
        List<String> sources = List.of("edge-1", "edge-2", "edge-3", "edge-4");
        try (Publisher p = client.publisher("alarms")) {
            for (long i = 0; i < 400; i++) {
                p.publish(alarm(sources.get((int) (i % sources.size())), i));
            }
            p.publish(Event.message("sip.flood", 5_000, null, Map.of()));
        }
        List<ConsumerRecord<byte[], byte[]>> got = readUntil(consumer("alarms-out"), new ArrayList<>(), l -> l.size() >= 401);

        assertThat(got).hasSize(401);
        Map<String, List<Long>> perKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : got) {
            Event e = EventCodec.decode(r.value(), 0, r.value().length);
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertThat(EventRecords.header(r.headers(), EventRecords.TYPE)).isEqualTo(e.type());
            assertThat(EventRecords.header(r.headers(), EventRecords.TIME)).isEqualTo(Long.toString(e.time()));
            assertThat(EventRecords.header(r.headers(), EventRecords.PUBLISHER)).isEqualTo("admin");
            assertThat(EventRecords.header(r.headers(), EventRecords.CHANNEL)).isEqualTo("alarms");
            long seq = Long.parseLong(EventRecords.header(r.headers(), EventRecords.SEQUENCE));
            assertThat(Long.parseLong(EventRecords.header(r.headers(), EventRecords.OFFSET))).isEqualTo(seq - 1);
            if (e.source() == null) {
                assertThat(key).as("an event without a source is keyed by its publisher").isEqualTo("admin");
                continue;
            }
            assertThat(key).isEqualTo(e.source());
            perKey.computeIfAbsent(key, k -> new ArrayList<>()).add((Long) e.attrs().get("i"));
        }
        assertThat(perKey).containsOnlyKeys(sources);
        perKey.values().forEach(is -> assertThat(is).hasSize(100).isSorted());
        await().until(() -> bridge.stats().bridged() == 401 && bridge.position() == 401);
        await().until(() -> Files.readString(config("alarms", "alarms-out").offsetFile()).strip().equals("next-offset=401"));
        assertThat(bridge.stats().malformed()).isZero();
        assertThat(bridge.stats().missing()).isZero();
    }

    @Test
    void outSkipsAndCountsAPayloadThatIsNotAnEvent() throws Exception {
        loggedChannel("raw");
        kafka.createTopic("raw-out", 1, 1);
        KafkaOutBridge bridge = new KafkaOutBridge(client, config("raw", "raw-out"), Clock.system());
        closing.add(bridge);
        try (Publisher p = client.publisher("raw")) {
            p.publish(alarm("a", 1));
            p.publish("not an event".getBytes(StandardCharsets.UTF_8));
            p.publish(alarm("a", 2));
        }
        List<ConsumerRecord<byte[], byte[]>> got = readUntil(consumer("raw-out"), new ArrayList<>(), l -> l.size() >= 2);
        assertThat(got).extracting(r -> EventRecords.header(r.headers(), EventRecords.OFFSET)).containsExactly("0", "2");
        await().until(() -> bridge.position() == 3);
        assertThat(bridge.stats().malformed()).isEqualTo(1);
    }

    @Test
    void inPublishesRecordsAsEventsAndResumesAfterWhatTheBrokerAcknowledged() throws Exception {
        client.createChannel(new ChannelSpec("from-kafka", ChannelClass.DEFAULT, Set.of("*"), Set.of("*")));
        kafka.createTopic("alarms-in", 2, 1);
        List<Delivery> got = new CopyOnWriteArrayList<>();
        Subscription sub = client.subscribe("from-kafka", StartPosition.live(), got::add);
        closing.add(sub::close);
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (long i = 0; i < 200; i++) {
                p.send(record("alarms-in", "k" + (i % 2), EventCodec.encode(alarm("k" + (i % 2), i))));
            }
        }
        KafkaBridgeConfig config = config("from-kafka", "alarms-in");
        KafkaInBridge first = new KafkaInBridge(client, config, Clock.system());
        await().until(() -> got.size() == 200);
        assertThat(perSourceOrder(got)).allSatisfy((source, is) -> assertThat(is).hasSize(100).isSorted());
        first.close();
        assertThat(committed(config.group(), "alarms-in", 2)).isEqualTo(200);
        assertThat(first.stats().bridged()).isEqualTo(200);

        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (long i = 200; i < 250; i++) {
                p.send(record("alarms-in", "k" + (i % 2), EventCodec.encode(alarm("k" + (i % 2), i))));
            }
        }
        KafkaInBridge second = new KafkaInBridge(client, config, Clock.system());
        closing.add(second);
        await().until(() -> got.size() == 250);
        assertThat(got.subList(200, 250)).extracting(d -> (Long) d.event().attrs().get("i"))
                .allSatisfy(i -> assertThat(i).isGreaterThanOrEqualTo(200L));
        await().until(() -> second.stats().bridged() == 50);
    }

    @Test
    void inCountsAndSkipsRecordsThatAreNotEvents() throws Exception {
        client.createChannel(new ChannelSpec("in-mixed", ChannelClass.DEFAULT, Set.of("*"), Set.of("*")));
        kafka.createTopic("mixed-in", 1, 1);
        List<Delivery> got = new CopyOnWriteArrayList<>();
        Subscription sub = client.subscribe("in-mixed", StartPosition.live(), got::add);
        closing.add(sub::close);
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            p.send(record("mixed-in", "a", EventCodec.encode(alarm("a", 0))));
            p.send(record("mixed-in", "a", "{\"type\":".getBytes(StandardCharsets.UTF_8)));
            p.send(record("mixed-in", "a", null));
            p.send(record("mixed-in", "a", "[1,2,3]".getBytes(StandardCharsets.UTF_8)));
            p.send(record("mixed-in", "a", EventCodec.encode(alarm("a", 1))));
        }
        KafkaBridgeConfig config = config("in-mixed", "mixed-in");
        KafkaInBridge bridge = new KafkaInBridge(client, config, Clock.system());
        closing.add(bridge);
        await().until(() -> got.size() == 2 && bridge.stats().malformed() == 3);
        assertThat(got).extracting(d -> (Long) d.event().attrs().get("i")).containsExactly(0L, 1L);
        await().until(() -> committed(config.group(), "mixed-in", 1) == 5);
        assertThat(bridge.ended()).isNotDone();
    }

    /**
     * SIGKILL of the bridge's JVM while events still flow: the restarted bridge resumes from the
     * position its predecessor stored, so every event reaches Kafka; the ones sent between that
     * store and the kill are sent twice (at least once, not exactly once).
     */
    @Test
    void outLosesNothingWhenKilledMidStream() throws Exception {
        loggedChannel("stream");
        kafka.createTopic("stream-out", 2, 1);
        int events = 6_000;
        KafkaBridgeConfig config = config("stream", "stream-out");
        OffsetFile position = new OffsetFile(config.offsetFile());
        Process bridge = startOutProcess("stream", "stream-out");
        CountDownLatch bridging = new CountDownLatch(1);
        AtomicLong published = new AtomicLong();
        Thread publishing = Thread.ofPlatform().start(() -> publishPaced("stream", events, 3_000, bridging, published));
        await().atMost(Duration.ofSeconds(30)).until(() -> position.read().orElse(0) >= 500);
        bridging.countDown();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> published.get() >= 2 * GATE);
        bridge.destroyForcibly().waitFor();
        long storedAtKill = position.read().orElseThrow();
        long inKafkaAtKill = endOffsets("stream-out", 2);
        assertThat(inKafkaAtKill).as("killed mid-stream").isLessThan(events);

        Process again = startOutProcess("stream", "stream-out");
        Set<Long> seen = new HashSet<>();
        List<ConsumerRecord<byte[], byte[]>> got = readUntil(consumer("stream-out"), new ArrayList<>(), l -> {
            l.forEach(r -> seen.add(Long.parseLong(EventRecords.header(r.headers(), EventRecords.SEQUENCE))));
            return seen.size() == events;
        });
        publishing.join();
        again.destroy();
        again.waitFor();
        assertThat(seen).as("every event in Kafka").hasSize(events);
        long duplicates = got.size() - events;
        assertThat(duplicates).as("only what was sent after the stored position is sent again")
                .isBetween(0L, inKafkaAtKill - storedAtKill);
        System.out.printf("out bridge killed with %d events in Kafka, position %d stored: %d sent twice%n",
                inKafkaAtKill, storedAtKill, duplicates);
    }

    /**
     * SIGKILL of the {@code in} bridge's JVM while records still flow: the group's committed offsets
     * never pass what the broker acknowledged, so the restarted bridge publishes every record; the
     * ones between the committed offset and the kill are published twice.
     */
    @Test
    void inLosesNothingWhenKilledMidStream() throws Exception {
        loggedChannel("from-stream");
        kafka.createTopic("stream-in", 2, 1);
        int records = 6_000;
        KafkaBridgeConfig config = config("from-stream", "stream-in");
        Process bridge = startProcess("in", "from-stream", "stream-in");
        CountDownLatch bridging = new CountDownLatch(1);
        AtomicLong produced = new AtomicLong();
        Thread producing = Thread.ofPlatform().start(() -> producePaced("stream-in", records, 3_000, bridging, produced));
        await().atMost(Duration.ofSeconds(30)).until(() -> committed(config.group(), "stream-in", 2) >= 500);
        bridging.countDown();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> produced.get() >= 2 * GATE);
        bridge.destroyForcibly().waitFor();
        long committedAtKill = committed(config.group(), "stream-in", 2);
        assertThat(committedAtKill).as("killed mid-stream").isLessThan(records);

        Process again = startProcess("in", "from-stream", "stream-in");
        producing.join();
        Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Delivery> got = new CopyOnWriteArrayList<>();
        Subscription sub = client.subscribe("from-stream", StartPosition.fromOffset(0), d -> {
            got.add(d);
            try {
                seen.add((Long) d.event().attrs().get("i"));
            } catch (dev.d2r2.core.EventFormatException e) {
                throw new AssertionError(e);
            }
        });
        closing.add(sub::close);
        await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == records);
        await().until(() -> committed(config.group(), "stream-in", 2) == records);
        again.destroy();
        again.waitFor();
        long duplicates = got.size() - records;
        assertThat(duplicates).as("only what came after the committed offsets is published again")
                .isBetween(0L, records - committedAtKill);
        System.out.printf("in bridge killed with %d records committed: %d of %d published twice%n", committedAtKill,
                duplicates, records);
    }

    /** Events sent before a stream waits for the bridge to be running, so that the bridge is killed with events still flowing. */
    private static final int GATE = 1_000;

    /**
     * Sends {@code n} events at about {@code perSecond}: the first {@link #GATE}, then, once
     * {@code bridging} is open, the rest; {@code sent} counts them as they go.
     */
    private static void paced(int n, int perSecond, CountDownLatch bridging, AtomicLong sent, LongConsumer send) {
        long start = System.nanoTime();
        for (long i = 0; i < n; i++) {
            if (i == GATE) {
                try {
                    bridging.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                start = System.nanoTime() - i * 1_000_000_000L / perSecond;
            }
            send.accept(i);
            sent.set(i + 1);
            java.util.concurrent.locks.LockSupport.parkNanos(start + i * 1_000_000_000L / perSecond - System.nanoTime());
        }
    }

    private void producePaced(String topic, int n, int perSecond, CountDownLatch bridging, AtomicLong produced) {
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            paced(n, perSecond, bridging, produced, i -> p.send(record(topic, "k" + (i % 8), EventCodec.encode(alarm("k" + (i % 8), i)))));
        }
    }

    private void publishPaced(String channel, int n, int perSecond, CountDownLatch bridging, AtomicLong published) {
        try (Publisher p = client.publisher(channel)) {
            long[] last = new long[1];
            paced(n, perSecond, bridging, published, i -> last[0] = p.publish(alarm("s" + (i % 8), i)));
            p.awaitAcknowledged(last[0], Duration.ofSeconds(30));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static long endOffsets(String topic, int partitions) throws Exception {
        try (var a = kafka.admin()) {
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> want = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                want.put(new TopicPartition(topic, i), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            return a.listOffsets(want).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    private Process startOutProcess(String channel, String topic) throws Exception {
        return startProcess("out", channel, topic);
    }

    private Process startProcess(String direction, String channel, String topic) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                BridgeProcess.class.getName(), direction, broker.adminIdentityPath().toString(), channel, topic, kafka.bootstrap(),
                dir.resolve("bridge").toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        closing.add(p::destroyForcibly);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        return p;
    }

    private static Map<String, List<Long>> perSourceOrder(List<Delivery> got) throws Exception {
        Map<String, List<Long>> m = new HashMap<>();
        for (Delivery d : got) {
            Event e = d.event();
            m.computeIfAbsent(e.source(), k -> new ArrayList<>()).add((Long) e.attrs().get("i"));
        }
        return m;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(), ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** The group's committed offsets over all partitions of the topic. */
    private static long committed(String group, String topic, int partitions) throws Exception {
        try (var a = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> m = a.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            long sum = 0;
            for (int i = 0; i < partitions; i++) {
                OffsetAndMetadata o = m.get(new TopicPartition(topic, i));
                sum += o == null ? 0 : o.offset();
            }
            return sum;
        }
    }
}
