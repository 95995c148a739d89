package dev.d2r2.bridge.kafka;

import dev.d2r2.broker.ChannelSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One Kafka bridge: which d2r2 channel, which Kafka topic, and how.
 *
 * @param bootstrap      Kafka's {@code bootstrap.servers}
 * @param stateDir       where the {@code out} direction keeps its offset file (fsynced)
 * @param group          the {@code in} direction's consumer group
 * @param fromEarliest   on a first start (no stored position): the {@code out} direction replays the
 *                       channel's log from its start, the {@code in} direction reads the topic from its
 *                       start; otherwise both begin with what comes next
 * @param commitInterval how often acknowledged progress is stored (the offset file, Kafka's commit)
 * @param kafka          Kafka client properties over the bridge's own (TLS, SASL, tuning)
 */
public record KafkaBridgeConfig(String channel, String topic, String bootstrap, Path stateDir, String group,
                                boolean fromEarliest, Duration commitInterval, Map<String, String> kafka) {
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(200);

    public KafkaBridgeConfig {
        ChannelSpec.validateTag(channel);
        Objects.requireNonNull(topic, "topic");
        if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("Kafka topic \"" + topic + "\" must be 1-249 characters of letters, digits, '.', '_', '-'");
        }
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(stateDir, "stateDir");
        group = group == null ? "d2r2-bridge-" + channel : group;
        commitInterval = commitInterval == null ? DEFAULT_COMMIT_INTERVAL : commitInterval;
        if (commitInterval.isNegative() || commitInterval.isZero()) {
            throw new IllegalArgumentException("commit interval must be positive, not " + commitInterval);
        }
        kafka = Map.copyOf(kafka == null ? Map.of() : kafka);
    }

    /** A bridge with the defaults: live start, the default commit interval, no extra Kafka properties. */
    public static KafkaBridgeConfig of(String channel, String topic, String bootstrap, Path stateDir) {
        return new KafkaBridgeConfig(channel, topic, bootstrap, stateDir, null, false, null, Map.of());
    }

    public KafkaBridgeConfig withGroup(String g) {
        return new KafkaBridgeConfig(channel, topic, bootstrap, stateDir, g, fromEarliest, commitInterval, kafka);
    }

    public KafkaBridgeConfig startingEarliest() {
        return new KafkaBridgeConfig(channel, topic, bootstrap, stateDir, group, true, commitInterval, kafka);
    }

    /** The {@code out} direction's offset file: one per channel and topic pair. */
    Path offsetFile() {
        return stateDir.resolve("kafka-out-" + channel + "-" + topic + ".offset");
    }
}
