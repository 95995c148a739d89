package dev.d2r2.app.cli;

import dev.d2r2.bridge.kafka.KafkaBridge;
import dev.d2r2.bridge.kafka.KafkaBridgeConfig;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code d2r2 bridge kafka}: carries events between a d2r2 channel and a Kafka topic, at least once. */
@Command(name = "bridge", mixinStandardHelpOptions = true, description = "Bridge a channel to another messaging system.",
        subcommands = {BridgeCommand.Kafka.class})
public final class BridgeCommand extends CommandGroup {

    @Command(name = "kafka", mixinStandardHelpOptions = true,
            description = "Carry a channel's events onto a Kafka topic (out) or a topic's records onto a channel (in), at least once.")
    public static final class Kafka implements Callable<Integer> {
        @Mixin ClientOptions client;

        @Option(names = "--channel", required = true, paramLabel = "TAG") String channel;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC") String topic;

        @Option(names = "--direction", required = true, paramLabel = "out|in",
                description = "out: channel → topic; in: topic → channel") String direction;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", defaultValue = "127.0.0.1:9092",
                description = "Kafka brokers (default ${DEFAULT-VALUE})") String bootstrap;

        @Option(names = "--group", paramLabel = "ID", description = "in: the consumer group (default d2r2-bridge-<channel>)")
        String group;

        @Option(names = "--from-earliest", description = "On a first start: out replays the channel's log from its start,"
                + " in reads the topic from its start (default: what comes next)")
        boolean fromEarliest;

        @Option(names = "--commit-interval", paramLabel = "DURATION", defaultValue = "200ms",
                description = "How often the acknowledged position is stored or committed (default ${DEFAULT-VALUE})")
        String commitInterval;

        @Option(names = "--data", paramLabel = "DIR", description = "out: where the resume position is kept (default <data dir>/bridge)")
        Path data;

        @Option(names = "--kafka-config", paramLabel = "FILE",
                description = "Kafka client properties (TLS, SASL, tuning) in Java properties form")
        Path kafkaConfig;

        @Option(names = {"-X", "--kafka-property"}, paramLabel = "KEY=VALUE", description = "One Kafka client property (after --kafka-config)")
        List<String> kafkaProperties = List.of();

        @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "Serve Prometheus metrics (/metrics) here")
        String metrics;

        @Override
        public Integer call() throws IOException, InterruptedException {
            KafkaBridge.Direction way = direction(direction);
            KafkaBridgeConfig config = new KafkaBridgeConfig(channel, topic, bootstrap,
                    data != null ? data : DataDirs.defaultDataDir().resolve("bridge"), group, fromEarliest,
                    Durations.parse(commitInterval), kafkaProperties());
            PrometheusRegistry registry = new PrometheusRegistry();
            HTTPServer http = metrics == null ? null : startMetrics(registry, HostPort.parse(metrics));
            try (BrokerClient c = client.connect()) {
                KafkaBridge bridge;
                try {
                    bridge = KafkaBridge.start(way, c, config, Clock.system());
                } catch (IllegalStateException e) {
                    System.err.println("d2r2 bridge kafka: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
                    return CliErrors.RUNTIME_FAILURE;
                }
                bridge.stats().register(registry, way.label(), channel, topic);
                Thread hook = new Thread(() -> close(bridge), "d2r2-bridge-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                System.err.printf("d2r2 bridge kafka: %s %s %s (Kafka %s)%n", channel, way == KafkaBridge.Direction.OUT ? "→" : "←",
                        topic, bootstrap);
                Throwable cause = bridge.ended().join();
                System.err.println("d2r2 bridge kafka: stopped, " + bridge.stats());
                if (cause != null) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                    System.err.println("d2r2 bridge kafka: " + cause.getMessage());
                    return CliErrors.RUNTIME_FAILURE;
                }
                return 0;
            } finally {
                if (http != null) {
                    http.close();
                }
            }
        }

        private static KafkaBridge.Direction direction(String text) {
            for (KafkaBridge.Direction d : KafkaBridge.Direction.values()) {
                if (d.label().equals(text)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("--direction must be out or in, not \"" + text + "\"");
        }

        private Map<String, String> kafkaProperties() throws IOException {
            Map<String, String> m = new LinkedHashMap<>();
            if (kafkaConfig != null) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(kafkaConfig)) {
                    p.load(r);
                } catch (NoSuchFileException e) {
                    throw new IllegalArgumentException(kafkaConfig + ": no such file");
                }
                p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
            }
            for (String kv : kafkaProperties) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--kafka-property must be KEY=VALUE, not \"" + kv + "\"");
                }
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            return m;
        }

        private static HTTPServer startMetrics(PrometheusRegistry registry, InetSocketAddress at) throws IOException {
            return HTTPServer.builder().hostname(at.getHostString()).port(at.getPort()).registry(registry).buildAndStart();
        }

        private static void close(KafkaBridge bridge) {
            try {
                bridge.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
