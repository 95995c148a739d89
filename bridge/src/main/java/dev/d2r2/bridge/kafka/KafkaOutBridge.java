package dev.d2r2.bridge.kafka;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.agent.Agent;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code out} direction, an {@link Agent}: a d2r2 channel's events onto a Kafka topic through
 * an idempotent producer with {@code acks=all}. At least once: the channel offset to resume from
 * is stored (fsynced, {@link OffsetFile}) only below the first event Kafka has not acknowledged,
 * and a restart subscribes from there, so an event is either in Kafka or sent again. When a send
 * fails for the stream (not for the record itself), the bridge rewinds: a new producer, and the
 * channel again from the stored position.
 *
 * <p>Deliveries and Kafka's acknowledgements are handed to the agent's thread; the producer, the
 * window of records in flight and the offset file are touched on it alone.
 */
public final class KafkaOutBridge extends BridgeAgent {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaOutBridge.class);
    static final int WINDOW = 1 << 14;
    static final int INBOX_CAPACITY = 8192;
    static final Duration REWIND_BACKOFF = Duration.ofSeconds(1);
    static final String MALFORMED = "malformed";
    /** How long closing waits for Kafka to acknowledge what is in flight. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final BrokerClient client;
    private final KafkaBridgeConfig config;
    private final Clock clock;
    private final OffsetFile offsetFile;
    private final AckWindow window = new AckWindow(WINDOW);
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private Producer<byte[], byte[]> producer;
    private Subscription subscription;
    private volatile int generation;
    private boolean replayable = true;
    /** The offset to resume from: everything below it is acknowledged by Kafka. */
    private volatile long committed = -1;
    private long stored = -1;
    /** The offset the next delivery should have (-1 until the first on a live start). */
    private long expected = -1;
    private long resubscribeAt = Long.MAX_VALUE;
    private long nextStore;

    /** One delivery of one subscription generation. */
    private record Incoming(int generation, Delivery delivery) {
    }

    /** The subscription ended under the bridge. */
    private record Ended(int generation, BrokerException cause) {
    }

    /** Starts the bridge; returns once it is subscribed. */
    public KafkaOutBridge(BrokerClient client, KafkaBridgeConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
        this.offsetFile = new OffsetFile(config.offsetFile());
        run(INBOX_CAPACITY, clock);
    }

    @Override
    public String roleName() {
        return "bridge-kafka-out-" + config.channel();
    }

    @Override
    public void onStart() {
        OptionalLong resume;
        try {
            resume = offsetFile.read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (resume.isPresent()) {
            committed = resume.getAsLong();
            stored = committed;
            LOG.info("{}: resuming channel {} at offset {} (from {})", roleName(), config.channel(), committed, offsetFile.path());
        }
        producer = newProducer();
        subscribe();
        nextStore = clock.millis() + config.commitInterval().toMillis();
    }

    private Producer<byte[], byte[]> newProducer() {
        Map<String, Object> p = new HashMap<>(config.kafka());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "d2r2-bridge-" + config.channel());
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void subscribe() {
        int gen = generation;
        StartPosition start = committed >= 0 && replayable ? StartPosition.fromOffset(committed)
                : config.fromEarliest() && replayable ? StartPosition.fromOffset(0) : StartPosition.live();
        Feed feed = new Feed(gen);
        try {
            subscription = client.subscribe(config.channel(), start, feed);
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.NOT_PERSISTENT) {
                throw e;
            }
            replayable = false;
            LOG.warn("{}: channel {} keeps no log, so events published while the bridge is down or rewinding are not"
                    + " bridged; give the channel persistence: log for at-least-once across restarts", roleName(), config.channel());
            subscription = client.subscribe(config.channel(), StartPosition.live(), feed);
        }
        expected = start instanceof StartPosition.FromOffset f && replayable ? f.offset() : -1;
    }

    /** One subscription's deliveries into the agent's inbox, tagged with its generation. */
    private final class Feed implements DeliveryHandler {
        private final int gen;

        Feed(int gen) {
            this.gen = gen;
        }

        @Override
        public void onEvent(Delivery d) {
            runner.deliver(new Incoming(gen, d));
        }

        /** Logged here; counted by the agent, which sees the gap in the offsets it is delivered. */
        @Override
        public void onMissing(MissingNotice n) {
            runner.errors().warn("missing", roleName() + ": the broker dropped " + n.count() + " events of " + n.channel()
                    + " (offsets " + n.fromOffset() + ".." + n.toOffset() + ") before the bridge took them: they are not in Kafka"
                    + " (give the channel the block overflow policy)");
        }

        @Override
        public void onClosed(BrokerException cause) {
            runner.deliver(new Ended(gen, cause));
        }
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Incoming in when in.generation() == generation && subscription != null -> send(in.delivery());
            case Ended e when e.generation() == generation -> {
                LOG.error("{}: the subscription to {} ended: {}", roleName(), config.channel(), e.cause().getMessage());
                end(e.cause());
            }
            default -> {
            }
        }
        settle();
    }

    private void send(Delivery d) {
        long offset = d.offset();
        if (expected >= 0 && offset > expected) {
            stats.missing.addAndGet(offset - expected);
            runner.errors().warn("gap", roleName() + ": offsets " + expected + ".." + (offset - 1) + " of " + config.channel()
                    + " were gone from the log when the bridge resumed: they are not in Kafka");
        }
        expected = offset + 1;
        while (window.full() && resubscribeAt == Long.MAX_VALUE) {
            producer.flush();
            settle();
        }
        if (resubscribeAt != Long.MAX_VALUE) {
            return;
        }
        Event event;
        try {
            event = d.event();
        } catch (EventFormatException e) {
            stats.malformed.incrementAndGet();
            runner.errors().warn(MALFORMED, roleName() + ": " + config.channel() + "@" + offset + " is not an event, skipped: "
                    + e.getMessage());
            window.ack(window.add(offset), offset);
            return;
        }
        int slot = window.add(offset);
        try {
            producer.send(EventRecords.toRecord(config.topic(), d, event), new Sent(slot, offset, generation));
        } catch (RuntimeException e) {
            sendFailure.compareAndSet(null, e);
        }
    }

    /** Kafka's answer for one record, on Kafka's I/O thread. */
    private final class Sent implements Callback {
        private final int slot;
        private final long offset;
        private final int gen;

        Sent(int slot, long offset, int gen) {
            this.slot = slot;
            this.offset = offset;
            this.gen = gen;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception e) {
            if (gen != generation) {
                return;
            }
            if (e == null) {
                stats.bridged.incrementAndGet();
                window.ack(slot, offset);
            } else if (e instanceof RecordTooLargeException || e instanceof InvalidRecordException) {
                stats.malformed.incrementAndGet();
                runner.errors().warn("refused", roleName() + ": Kafka refused " + config.channel() + "@" + offset
                        + ", skipped: " + e.getMessage());
                window.ack(slot, offset);
            } else {
                sendFailure.compareAndSet(null, e);
            }
        }
    }

    /** Moves the acknowledged position on, and rewinds after a failed send. */
    private void settle() {
        advance();
        Exception failure = sendFailure.getAndSet(null);
        if (failure != null && resubscribeAt == Long.MAX_VALUE) {
            rewind(failure);
        }
    }

    private void advance() {
        long next = window.advance();
        if (next >= 0) {
            committed = next;
        }
        stats.lag.set(window.size());
    }

    /** Stops the stream at the stored position's successor and starts it again from there after a pause. */
    private void rewind(Exception cause) {
        stats.errors.incrementAndGet();
        runner.errors().error("send", roleName() + ": sending to Kafka topic " + config.topic() + " failed (" + cause
                + "); resending from offset " + committed + " of " + config.channel(), null);
        subscription.close();
        subscription = null;
        generation++;
        producer.close(Duration.ofSeconds(5));
        if (!replayable && window.size() > 0) {
            stats.missing.addAndGet(window.size());
        }
        window.clear();
        producer = newProducer();
        resubscribeAt = clock.millis() + REWIND_BACKOFF.toMillis();
    }

    @Override
    public long nextDueMillis() {
        return Math.min(nextStore, resubscribeAt);
    }

    @Override
    public void onTimer(long nowMillis) throws IOException {
        settle();
        if (nowMillis >= resubscribeAt) {
            resubscribeAt = Long.MAX_VALUE;
            try {
                subscribe();
            } catch (BrokerException e) {
                LOG.error("{}: cannot subscribe to {} again: {}", roleName(), config.channel(), e.getMessage());
                end(e);
            }
        }
        if (nowMillis >= nextStore) {
            store();
            nextStore = nowMillis + config.commitInterval().toMillis();
        }
    }

    private void store() throws IOException {
        if (committed > stored && replayable) {
            offsetFile.store(committed);
            stored = committed;
            stats.commits.incrementAndGet();
        }
    }

    /** Sends what is in flight, stores the position, and closes the producer (on the agent's thread). */
    @Override
    public void onClose() throws IOException {
        if (subscription != null) {
            subscription.close();
        }
        if (producer != null) {
            producer.close(CLOSE_TIMEOUT);
            advance();
        }
        store();
        ended.complete(null);
    }

    /** The channel offset the bridge would resume from now (acknowledged by Kafka, maybe not stored yet). */
    public long position() {
        return committed;
    }
}
