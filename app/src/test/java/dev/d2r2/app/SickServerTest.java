package dev.d2r2.app;

import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sick-server loop with real processes: four like peers (each a real process doing the same
 * small work), OS probes on each, profiles trained by {@code d2r2 diagnose train} on a recording,
 * then {@code d2r2 run} with the monitor, the diagnosis, the example policy and the edge: one
 * peer gets a real busy loop, it is indicted within the bound, drained at the edge through the
 * example's actuator script, and cleared and put back once the hog ends; nobody else is indicted.
 */
class SickServerTest {
    private static final int PEERS = 4;

    @TempDir
    Path dir;
    private final List<Process> peers = new ArrayList<>();

    @AfterEach
    void stopPeers() throws InterruptedException {
        for (Process p : peers) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Event event(Delivery d) {
        try {
            return d.event();
        } catch (EventFormatException e) {
            throw new AssertionError(e);
        }
    }

    private Node start(String yaml) throws Exception {
        return Node.start(Node.check(ConfigLoader.parse(dir.resolve("node.yaml").toString(), yaml, NodeConfig.class), dir), e -> { });
    }

    /** Whether the edge has the backend and it is draining: GET /backends. */
    private static boolean draining(int api, String id, boolean expected) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api + "/backends")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (var b : ConfigLoader.json().readTree(body)) {
                if (b.get("id").asText().equals(id)) {
                    return b.get("draining").asBoolean() == expected;
                }
            }
            return false;
        }
    }

    @Test
    void aPeerWithACpuHogIsIndictedDrainedAtTheEdgeThenClearedAndPutBack() throws Exception {
        Path script = Path.of("..", "examples", "diagnosis", "peer.py").toAbsolutePath().normalize();
        List<String> names = new ArrayList<>();
        StringBuilder services = new StringBuilder();
        for (int i = 0; i < PEERS; i++) {
            Process p = new ProcessBuilder("python3", script.toString(), dir.resolve("peer-" + i).toString(), "300").start();
            peers.add(p);
            String name = "127.0.0.1:" + freeUdpPort();
            names.add(name);
            services.append("    - name: \"").append(name).append("\"\n      probes: [{kind: os, target: \"pid:").append(p.pid())
                    .append("\", interval: 100ms}]\n");
        }
        String monitor = "monitor:\n  services:\n" + services;

        // a fault-free recording of the metrics channel, for training
        Path samples = dir.resolve("samples.jsonl");
        try (Node recording = start("broker: {listen: 127.0.0.1:0, data: rec}\n" + monitor)) {
            List<String> lines = new CopyOnWriteArrayList<>();
            AtomicLong first = new AtomicLong();
            AtomicLong last = new AtomicLong();
            try (BrokerClient admin = recording.broker().connectLocal(Broker.ADMIN);
                 Subscription sub = admin.subscribe("metrics", StartPosition.live(), d -> {
                     Event e = event(d);
                     first.compareAndSet(0, e.time());
                     last.set(e.time());
                     lines.add(EventCodec.encodeToString(e));
                 })) {
                await().atMost(Duration.ofSeconds(60)).until(() -> first.get() > 0 && last.get() - first.get() >= 15_000);
            }
            Files.write(samples, lines);
        }
        Path profiles = dir.resolve("profiles.json");
        assertThat(Main.commandLine().execute("diagnose", "train", "--samples", samples.toString(), "--k", "2", "--out",
                profiles.toString(), "--window", "1s", "--metrics", "os.cpu_pct,os.ctx_switches_per_s", "--group", "sip=" + String.join(",", names))).isZero();

        int api = freeTcpPort();
        Path drainScript = Path.of("..", "examples", "policies", "edge-drain.sh").toAbsolutePath().normalize();
        Files.writeString(dir.resolve("sick-server.yaml"), Files.readString(Path.of("..", "examples", "policies", "sick-server.yaml"))
                .replace("examples/policies/edge-drain.sh", drainScript.toString())
                .replace("for: 10m }", "params: { api: \"http://127.0.0.1:" + api + "\", token: \"" + dir.resolve("edge-api.token")
                        + "\" }, for: 10m }"));
        String backends = names.stream().map(n -> "{address: \"" + n + "\"}").collect(Collectors.joining(", "));
        String group = names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
        try (Node node = start("""
                broker: {listen: 127.0.0.1:0, data: live}
                lb:
                  listen: 127.0.0.1:0
                  backends: [%s]
                  api: {listen: "127.0.0.1:%d", token-file: edge-api.token}
                diagnosis: {profiles: profiles.json, groups: {sip: [%s]}, grace: 300ms}
                policy: {file: sick-server.yaml, inputs: [diagnosis], actions: actions, audit: audit.jsonl}
                """.formatted(backends, api, group) + monitor)) {
            List<Event> verdicts = new CopyOnWriteArrayList<>();
            AtomicLong matrices = new AtomicLong();
            try (BrokerClient admin = node.broker().connectLocal(Broker.ADMIN);
                 Subscription sub = admin.subscribe("diagnosis", StartPosition.live(), d -> {
                     Event e = event(d);
                     if (e.type().equals(PeerIndicted.TYPE) || e.type().equals(PeerCleared.TYPE)) {
                         verdicts.add(e);
                     } else if (e.type().equals("diagnosis.distances")) {
                         matrices.incrementAndGet();
                     }
                 })) {
                await().atMost(Duration.ofSeconds(30)).until(() -> matrices.get() >= 2);
                assertThat(verdicts).as("fault-free windows indict nobody").isEmpty();

                Files.writeString(dir.resolve("peer-0.cpu"), "");
                long hogFrom = System.currentTimeMillis();
                await().atMost(Duration.ofSeconds(30)).until(() -> !verdicts.isEmpty());
                PeerIndicted indicted = PeerIndicted.from(verdicts.getFirst());
                assertThat(indicted.peer()).isEqualTo(names.getFirst());
                long windows = (indicted.time() - hogFrom + 999) / 1000;
                // the vote indicts at the third odd window (two are a spell it tolerates), the first one partial, and one
                // more for a loaded machine, where a healthy peer may be near the culprit for a window
                assertThat(windows).as("windows from the hog's start to the indictment (the first one partial)").isLessThanOrEqualTo(5);
                await().atMost(Duration.ofSeconds(20)).until(() -> draining(api, names.getFirst(), true));

                Files.delete(dir.resolve("peer-0.cpu"));
                await().atMost(Duration.ofSeconds(40)).until(() -> verdicts.stream().anyMatch(e -> e.type().equals(PeerCleared.TYPE)));
                await().atMost(Duration.ofSeconds(20)).until(() -> draining(api, names.getFirst(), false));
                assertThat(verdicts).extracting(Event::type, Event::source).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(PeerIndicted.TYPE, names.getFirst()),
                        org.assertj.core.groups.Tuple.tuple(PeerCleared.TYPE, names.getFirst()));
            }
        }
    }
}
