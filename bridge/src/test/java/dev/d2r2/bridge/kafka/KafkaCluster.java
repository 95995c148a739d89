package dev.d2r2.bridge.kafka;

import dev.d2r2.broker.security.TlsMaterial;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Kafka KRaft cluster on loopback: {@code n} nodes, each broker and controller at once, each
 * in a child JVM started from this JVM's class path (the {@code kafka_2.13} jars), storage formatted
 * with a fresh random cluster id. Ports are picked free from the kernel. One node is the single-node
 * cluster the bridge's tests use; three are the benchmark's peer, with TLS 1.3 between clients and
 * brokers and between brokers (a self-signed key made as the d2r2 broker makes its own).
 */
public final class KafkaCluster implements AutoCloseable {
    /** Quick to start, small: for tests. */
    public static final List<String> TEST_JVM = List.of("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Path dir;
    private final List<Node> nodes = new ArrayList<>();
    private final String bootstrap;
    private final List<String> jvmOptions;
    private final String clusterId = Uuid.randomUuid().toString();
    private final Map<String, String> clientTls;

    /** One node: its id, its broker port and its process (null once killed). */
    public static final class Node {
        final int id;
        final int brokerPort;
        final int controllerPort;
        final Path home;
        Process process;

        Node(int id, int brokerPort, int controllerPort, Path home) {
            this.id = id;
            this.brokerPort = brokerPort;
            this.controllerPort = controllerPort;
            this.home = home;
        }

        public int id() {
            return id;
        }

        public boolean alive() {
            return process != null && process.isAlive();
        }
    }

    private KafkaCluster(Path dir, int size, boolean tls, Map<String, String> overrides, List<String> jvmOptions)
            throws IOException {
        this.dir = dir;
        this.jvmOptions = List.copyOf(jvmOptions);
        for (int i = 1; i <= size; i++) {
            nodes.add(new Node(i, freePort(), freePort(), dir.resolve("node-" + i)));
        }
        this.bootstrap = nodes.stream().map(n -> "127.0.0.1:" + n.brokerPort).collect(Collectors.joining(","));
        String voters = nodes.stream().map(n -> n.id + "@127.0.0.1:" + n.controllerPort).collect(Collectors.joining(","));
        Map<String, String> brokerTls = Map.of();
        Map<String, String> clientSide = Map.of();
        if (tls) {
            Path keys = dir.resolve("tls");
            Files.createDirectories(keys);
            TlsMaterial material = TlsMaterial.loadOrCreate(keys);
            String password = Files.readString(keys.resolve("broker.p12.password")).strip();
            clientSide = Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM",
                    "ssl.truststore.certificates", material.certificatePem(), "ssl.enabled.protocols", "TLSv1.3",
                    "ssl.protocol", "TLSv1.3");
            Map<String, String> b = new java.util.HashMap<>(clientSide);
            b.remove("security.protocol");
            b.put("ssl.keystore.type", "PKCS12");
            b.put("ssl.keystore.location", keys.resolve("broker.p12").toString());
            b.put("ssl.keystore.password", password);
            b.put("ssl.key.password", password);
            brokerTls = b;
        }
        this.clientTls = clientSide;
        for (Node n : nodes) {
            Files.createDirectories(n.home);
            writeConfig(n, voters, size, tls, brokerTls, overrides);
        }
        for (Node n : nodes) {
            launch(n);
        }
    }

    /** A single plain-text node with the {@link #TEST_JVM} options, as the bridge's tests use it. */
    public static KafkaCluster startSingle(Path dir) throws IOException, InterruptedException, TimeoutException {
        return start(dir, 1, false, Map.of(), TEST_JVM, Duration.ofSeconds(90));
    }

    /**
     * Starts {@code size} nodes under {@code dir} and waits until every broker is registered.
     *
     * @param tls       TLS 1.3 on the brokers' listener, for clients and replication alike
     * @param overrides broker properties over the defaults (replication factors follow the size)
     */
    public static KafkaCluster start(Path dir, int size, boolean tls, Map<String, String> overrides, List<String> jvmOptions,
                                     Duration timeout) throws IOException, InterruptedException, TimeoutException {
        KafkaCluster c = new KafkaCluster(dir, size, tls, overrides, jvmOptions);
        try {
            c.awaitBrokers(size, timeout);
        } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void writeConfig(Node n, String voters, int size, boolean tls, Map<String, String> brokerTls,
                             Map<String, String> overrides) throws IOException {
        String listener = tls ? "SSL" : "PLAINTEXT";
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(n.id));
        p.setProperty("controller.quorum.voters", voters);
        p.setProperty("listeners", listener + "://127.0.0.1:" + n.brokerPort + ",CONTROLLER://127.0.0.1:" + n.controllerPort);
        p.setProperty("advertised.listeners", listener + "://127.0.0.1:" + n.brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", listener);
        p.setProperty("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
        brokerTls.forEach(p::setProperty);
        p.setProperty("log.dirs", n.home.resolve("data").toString());
        String rf = Integer.toString(Math.min(size, 3));
        String isr = Integer.toString(size >= 3 ? 2 : 1);
        p.setProperty("offsets.topic.replication.factor", rf);
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", rf);
        p.setProperty("transaction.state.log.min.isr", isr);
        p.setProperty("share.coordinator.state.topic.replication.factor", rf);
        p.setProperty("share.coordinator.state.topic.min.isr", isr);
        p.setProperty("default.replication.factor", rf);
        p.setProperty("min.insync.replicas", isr);
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        p.setProperty("log.cleaner.enable", "false");
        overrides.forEach(p::setProperty);
        try (Writer w = Files.newBufferedWriter(n.home.resolve("server.properties"))) {
            p.store(w, "Kafka node " + n.id);
        }
    }

    private void launch(Node n) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Dlogback.configurationFile=" + writeLogConfig(n), "-cp", System.getProperty("java.class.path"),
                KafkaNodeMain.class.getName(), n.home.resolve("server.properties").toString(), clusterId));
        n.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(n.home.resolve("kafka.log").toFile())).start();
    }

    /** Kafka's own logging at WARN in its node's file: INFO would cost the node more than the test. */
    private static Path writeLogConfig(Node n) throws IOException {
        Path f = n.home.resolve("logback.xml");
        Files.writeString(f, """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        return f;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitBrokers(int count, Duration timeout) throws IOException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                for (Node n : nodes) {
                    if (!n.process.isAlive()) {
                        throw new IOException("Kafka node " + n.id + " exited (" + n.process.exitValue() + "): see "
                                + n.home.resolve("kafka.log") + "\n" + tail(n));
                    }
                }
                try {
                    int up = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
                    if (up >= count) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not up yet: ask again until the deadline
                }
                if (System.nanoTime() > deadline) {
                    StringBuilder logs = new StringBuilder();
                    nodes.forEach(n -> logs.append("\n--- node ").append(n.id).append(":\n").append(tail(n)));
                    throw new TimeoutException(count + " Kafka brokers not up within " + timeout + logs);
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    private static String tail(Node n) {
        try {
            List<String> lines = Files.readAllLines(n.home.resolve("kafka.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** The brokers' addresses, for {@code bootstrap.servers}. */
    public String bootstrap() {
        return bootstrap;
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public Node node(int id) {
        return nodes.get(id - 1);
    }

    /** What a client needs besides {@code bootstrap.servers}: TLS settings trusting the brokers' key, or nothing. */
    public Map<String, String> clientProperties() {
        return clientTls;
    }

    public Admin admin() {
        Map<String, Object> p = new java.util.HashMap<>(clientTls);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000);
        return Admin.create(p);
    }

    /** Creates a topic and returns once every broker knows it. */
    public void createTopic(String name, int partitions, int replicas) throws InterruptedException, ExecutionException {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) replicas))).all().get();
        }
    }

    /** Kills a node with SIGKILL (kill -9) and waits for the process to be gone. */
    public void kill(Node n) throws InterruptedException {
        n.process.destroyForcibly();
        n.process.waitFor();
    }

    /** Starts a killed node again on its own storage. */
    public void restart(Node n) throws IOException {
        launch(n);
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            if (n.process != null) {
                n.process.destroyForcibly();
            }
        }
        for (Node n : nodes) {
            if (n.process != null) {
                try {
                    n.process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
