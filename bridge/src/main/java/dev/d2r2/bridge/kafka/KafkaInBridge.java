package dev.d2r2.bridge.kafka;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Clock;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.agent.Agent;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The {@code in} direction, an {@link Agent}: a Kafka topic's records, read in a consumer group,
 * published as events on a d2r2 channel. At least once: a partition's offset is committed to Kafka
 * only once the d2r2 broker has acknowledged every event taken from the partition before it, so
 * after a crash or a rebalance the group reads on from there and an event is either on the channel
 * or published again. A record that is not an event is counted, logged with its partition and
 * offset, and skipped (its offset is committed like the others).
 *
 * <p>Kafka's consumer is itself one-threaded and poll-driven, so the agent's thread owns it: the
 * agent is always due, and each turn polls Kafka (at most {@link #POLL} long), publishes what came
 * and commits what the broker acknowledged.
 */
public final class KafkaInBridge extends BridgeAgent {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaInBridge.class);
    static final Duration POLL = Duration.ofMillis(100);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    static final String MALFORMED = "malformed";
    static final Duration BACKOFF = Duration.ofSeconds(1);

    private final BrokerClient client;
    private final KafkaBridgeConfig config;
    private final Clock clock;
    /** Partitions' next offsets waiting for the broker's acknowledgement of the sequence given, in sequence order. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<TopicPartition, OffsetAndMetadata> acknowledged = new HashMap<>();
    private Consumer<byte[], byte[]> consumer;
    private Publisher publisher;
    private long published;
    private long nextCommit;
    private long pauseUntil = Long.MIN_VALUE;

    private record Pending(TopicPartition partition, long nextOffset, long sequence) {
    }

    /** Starts the bridge; returns once its publisher is open and its consumer subscribed (it joins the group on its first poll). */
    public KafkaInBridge(BrokerClient client, KafkaBridgeConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
        run(16, clock);
    }

    @Override
    public String roleName() {
        return "bridge-kafka-in-" + config.channel();
    }

    @Override
    public void onStart() {
        publisher = client.publisher(config.channel());
        Map<String, Object> p = new HashMap<>(config.kafka());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.fromEarliest() ? "earliest" : "latest");
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "d2r2-bridge-" + config.channel());
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(config.topic()), new Rebalance());
        nextCommit = clock.millis() + config.commitInterval().toMillis();
    }

    /** Always due, but after a failure of Kafka's client not before {@link #BACKOFF} has passed. */
    @Override
    public long nextDueMillis() {
        return pauseUntil;
    }

    @Override
    public void onMessage(Object message) {
    }

    @Override
    public void onTimer(long nowMillis) {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(POLL);
        } catch (KafkaException e) {
            stats.errors.incrementAndGet();
            runner.errors().warn("poll", roleName() + ": reading " + config.topic() + " failed, trying again in "
                    + BACKOFF.toSeconds() + " s: " + e.getMessage());
            pauseUntil = nowMillis + BACKOFF.toMillis();
            return;
        }
        pauseUntil = Long.MIN_VALUE;
        try {
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> batch = records.records(tp);
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    take(r);
                }
                pending.addLast(new Pending(tp, batch.getLast().offset() + 1, published));
            }
        } catch (BrokerException e) {
            LOG.error("{}: publishing on {} failed: {}", roleName(), config.channel(), e.getMessage());
            end(e);
            return;
        }
        collectAcknowledged();
        if (nowMillis >= nextCommit) {
            commit(false);
            nextCommit = nowMillis + config.commitInterval().toMillis();
        }
        stats.lag.set(lag());
    }

    private void take(ConsumerRecord<byte[], byte[]> r) {
        try {
            EventRecords.check(r);
        } catch (EventFormatException e) {
            stats.malformed.incrementAndGet();
            runner.errors().warn(MALFORMED, roleName() + ": " + r.topic() + "-" + r.partition() + "@" + r.offset()
                    + " is not an event, skipped: " + e.getMessage());
            return;
        }
        published = publisher.publish(r.value());
    }

    /** Moves every partition whose events the broker acknowledged into the set to commit. */
    private void collectAcknowledged() {
        long acked = publisher.acknowledged();
        while (!pending.isEmpty() && pending.peekFirst().sequence() <= acked) {
            Pending p = pending.pollFirst();
            acknowledged.put(p.partition(), new OffsetAndMetadata(p.nextOffset()));
        }
        stats.bridged.set(acked);
    }

    private void commit(boolean sync) {
        if (acknowledged.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.copyOf(acknowledged);
        acknowledged.clear();
        if (sync) {
            consumer.commitSync(offsets);
            stats.commits.incrementAndGet();
            return;
        }
        consumer.commitAsync(offsets, (o, e) -> {
            if (e == null) {
                stats.commits.incrementAndGet();
            } else {
                stats.errors.incrementAndGet();
                runner.errors().warn("commit", roleName() + ": committing " + o + " to Kafka failed (the records will be"
                        + " read and published again): " + e.getMessage());
            }
        });
    }

    private long lag() {
        long sum = 0;
        for (TopicPartition tp : consumer.assignment()) {
            sum += consumer.currentLag(tp).orElse(0);
        }
        return sum;
    }

    /** Before partitions go to another member: waits for the broker's acknowledgements and commits them. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            settleAndCommit();
            pending.removeIf(p -> partitions.contains(p.partition()));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            pending.removeIf(p -> partitions.contains(p.partition()));
            acknowledged.keySet().removeIf(partitions::contains);
        }
    }

    private void settleAndCommit() {
        if (published > publisher.acknowledged()) {
            try {
                publisher.awaitAcknowledged(published, CLOSE_TIMEOUT);
            } catch (TimeoutException | BrokerException e) {
                LOG.warn("{}: events not acknowledged by the broker, their records will be read again: {}", roleName(), e.getMessage());
            }
        }
        collectAcknowledged();
        try {
            commit(true);
        } catch (RuntimeException e) {
            stats.errors.incrementAndGet();
            LOG.warn("{}: committing to Kafka failed, the records will be read and published again: {}", roleName(), e.getMessage());
        }
    }

    @Override
    public void onClose() {
        try {
            if (consumer != null) {
                settleAndCommit();
                consumer.close();
            }
        } finally {
            if (publisher != null) {
                publisher.close();
            }
            ended.complete(null);
        }
    }
}
