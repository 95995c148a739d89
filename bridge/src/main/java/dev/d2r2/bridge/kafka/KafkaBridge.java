package dev.d2r2.bridge.kafka;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.core.Clock;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** A running bridge in either direction, as {@code d2r2 bridge kafka} drives it. */
public interface KafkaBridge extends AutoCloseable {
    /** Which way events go. */
    enum Direction {
        /** From a d2r2 channel onto a Kafka topic. */
        OUT,
        /** From a Kafka topic onto a d2r2 channel. */
        IN;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    BridgeStats stats();

    /** Completes when the bridge stops: with null after {@link #close()}, with the cause when its input or output failed. */
    CompletableFuture<Throwable> ended();

    /** Stores or commits what was acknowledged and stops. */
    @Override
    void close() throws InterruptedException;

    /** Starts a bridge; returns once it is running. */
    static KafkaBridge start(Direction direction, BrokerClient client, KafkaBridgeConfig config, Clock clock) {
        return switch (direction) {
            case OUT -> new KafkaOutBridge(client, config, clock);
            case IN -> new KafkaInBridge(client, config, clock);
        };
    }
}
