package dev.d2r2.app;

import dev.d2r2.broker.security.BrokerReplica;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.testing.MadeOnce;
import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI against a real broker on a loopback TLS port, as a user would run it. */
class CliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;
    Broker broker;
    BrokerServer server;
    String identity;
    InputStream savedIn;

    @BeforeEach
    void start() throws Exception {
        MadeOnce.copyInto(dir.resolve("data"), "broker-tls", TlsMaterial::loadOrCreate);
        broker = Broker.open(dir.resolve("data"), Clock.system());
        server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
        identity = broker.adminIdentityPath().toString();
        savedIn = System.in;
    }

    @AfterEach
    void stop() {
        System.setIn(savedIn);
        server.close();
        broker.close();
    }

    private int run(String... args) {
        return Main.commandLine().execute(args);
    }

    private String out() {
        return console.out();
    }

    private String err() {
        return console.err();
    }

    private double subscribers(String channel) {
        return broker.registry().scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("d2r2_broker_subscribers"))
                .flatMap(m -> m.getDataPoints().stream())
                .filter(d -> channel.equals(d.getLabels().get("channel")))
                .mapToDouble(d -> ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) d).getValue())
                .sum();
    }

    @Test
    void createsListsShowsAndAltersChannels() {
        assertThat(run("channel", "create", "alarms", "--identity", identity, "--ordering", "total", "--priority", "9",
                "--persistence", "log", "--fsync", "always", "--protection", "HA", "--publishers", "monitor,probe",
                "--subscribers", "*")).isZero();
        assertThat(out()).contains("\"ordering\" : \"total\"", "\"protection\" : \"HA\"", "\"fsync\" : \"always\"");
        assertThat(run("channel", "alter", "alarms", "--identity", identity, "--priority", "3")).isZero();
        console.clear();
        assertThat(run("channel", "list", "--identity", identity)).isZero();
        assertThat(out()).contains("alarms").contains("p3").contains("total");
        console.clear();
        assertThat(run("channel", "show", "alarms", "--identity", identity)).isZero();
        assertThat(out()).contains("\"publishers\" : [ \"monitor\", \"probe\" ]");
    }

    @Test
    void badInputGetsOneClearLineAndExitTwo() {
        assertThat(run("channel", "create", "c", "--identity", identity, "--overflow", "explode")).isEqualTo(2);
        assertThat(err()).contains("overflow \"explode\" is not one of [block, drop-oldest, disconnect]")
                .doesNotContain("Exception");
        console.clear();
        assertThat(run("channel", "show", "nope", "--identity", identity)).isEqualTo(2);
        assertThat(err()).contains("unknown_channel: no channel nope");
        console.clear();
        assertThat(run("channel", "list", "--identity", dir.resolve("missing.identity").toString())).isEqualTo(1);
        assertThat(err()).contains("missing.identity");
        assertThat(run("channel", "frobnicate")).isEqualTo(2);
    }

    @Test
    void bridgeKafkaRefusesBadArgumentsAChannelItCannotReadAndADamagedPositionWithOneLine() throws Exception {
        assertThat(run("bridge", "kafka", "--identity", identity, "--channel", "c", "--topic", "t", "--direction", "sideways"))
                .isEqualTo(2);
        assertThat(err()).contains("--direction must be out or in, not \"sideways\"");
        console.clear();
        assertThat(run("bridge", "kafka", "--identity", identity, "--channel", "nope", "--topic", "t", "--direction", "out",
                "--bootstrap-servers", "127.0.0.1:9", "--data", dir.resolve("bridge").toString())).isEqualTo(1);
        assertThat(err()).contains("no channel nope").doesNotContain("Exception");
        console.clear();
        java.nio.file.Files.createDirectories(dir.resolve("bridge"));
        java.nio.file.Files.writeString(dir.resolve("bridge/kafka-out-c-t.offset"), "next-offset=12x\n");
        assertThat(run("bridge", "kafka", "--identity", identity, "--channel", "c", "--topic", "t", "--direction", "out",
                "--bootstrap-servers", "127.0.0.1:9", "--data", dir.resolve("bridge").toString())).isEqualTo(1);
        assertThat(err()).contains("kafka-out-c-t.offset:1:13: not an offset: \"12x\"");
    }

    @Test
    void publishedLinesComeOutOfSubscribe() throws Exception {
        assertThat(run("channel", "create", "ev", "--identity", identity)).isZero();
        CompletableFuture<Integer> sub = CompletableFuture.supplyAsync(
                () -> run("subscribe", "--channel", "ev", "--identity", identity, "--count", "2"));
        org.awaitility.Awaitility.await().until(() -> sub.isDone() || subscribers("ev") == 1);
        assertThat(sub).as(this::err).isNotDone();
        System.setIn(new ByteArrayInputStream(("""
                {"type":"a","time":1}
                not json
                {"type":"b","time":2,"source":"x"}
                """).getBytes(StandardCharsets.UTF_8)));
        assertThat(run("publish", "--channel", "ev", "--identity", identity)).isEqualTo(2);
        assertThat(err()).contains("stdin:2:").contains("published 2 events on ev, skipped 1 bad lines");
        assertThat(sub.get()).isZero();
        assertThat(out()).contains("{\"type\":\"a\",\"time\":1}\n{\"type\":\"b\",\"time\":2,\"source\":\"x\"}\n");
    }

    @Test
    void subscribePrintsEachEventWhileItIsStillRunning() throws Exception {
        assertThat(run("channel", "create", "live", "--identity", identity)).isZero();
        CompletableFuture<Integer> sub = CompletableFuture.supplyAsync(
                () -> run("subscribe", "--channel", "live", "--identity", identity));
        org.awaitility.Awaitility.await().until(() -> sub.isDone() || subscribers("live") == 1);
        System.setIn(new ByteArrayInputStream("{\"type\":\"a\",\"time\":1}\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(run("publish", "--channel", "live", "--identity", identity)).isZero();
        org.awaitility.Awaitility.await().until(() -> out().contains("{\"type\":\"a\",\"time\":1}\n"));
        assertThat(sub).as("a live subscription keeps running").isNotDone();
    }

    @Test
    void identityCreateWritesAFileThatAuthenticates() throws Exception {
        Path file = dir.resolve("probe.identity");
        assertThat(run("identity", "create", "probe", "--identity", identity, "--out", file.toString())).isZero();
        assertThat(Files.getPosixFilePermissions(file).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        assertThat(run("channel", "create", "p", "--identity", identity, "--publishers", "probe")).isZero();
        System.setIn(new ByteArrayInputStream("{\"type\":\"a\",\"time\":1}\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(run("publish", "--channel", "p", "--identity", file.toString())).isZero();
        System.setIn(new ByteArrayInputStream("{\"type\":\"a\",\"time\":1}\n".getBytes(StandardCharsets.UTF_8)));
        console.clear();
        assertThat(run("channel", "create", "q", "--identity", file.toString())).isEqualTo(2);
        assertThat(err()).contains("probe is not an administrator");
    }

    @Test
    void channelDeleteAndIdentityRevokeAreRefusedToOthersAndTakeEffect() throws Exception {
        Path probe = dir.resolve("probe.identity");
        assertThat(run("identity", "create", "probe", "--identity", identity, "--out", probe.toString())).isZero();
        assertThat(run("channel", "create", "old", "--identity", identity)).isZero();
        console.clear();
        assertThat(run("channel", "delete", "old", "--identity", probe.toString())).isEqualTo(2);
        assertThat(err()).contains("probe is not an administrator");
        assertThat(run("channel", "delete", "old", "--identity", identity)).isZero();
        console.clear();
        assertThat(run("channel", "show", "old", "--identity", identity)).isEqualTo(2);
        assertThat(run("channel", "delete", "old", "--identity", identity)).isEqualTo(2);
        assertThat(err()).contains("no channel old");
        assertThat(run("identity", "revoke", "probe", "--identity", identity)).isZero();
        assertThat(run("channel", "list", "--identity", probe.toString(), "--failover-timeout", "0")).isNotZero();
        console.clear();
        assertThat(run("identity", "revoke", "probe", "--identity", identity)).isEqualTo(2);
        assertThat(err()).contains("no identity probe");
    }

    @Test
    void identityFilesNameReplicasThatClientsTryInOrder() throws Exception {
        IdentityFile admin = IdentityFile.load(Path.of(identity));
        String live = admin.broker();
        String dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = "127.0.0.1:" + s.getLocalPort();
        }
        Path elsewhere = dir.resolve("elsewhere.identity");
        admin.withReplicas(List.of(new BrokerReplica(dead, admin.brokerCertificatePem()))).save(elsewhere);
        Path mine = dir.resolve("mine.identity");
        admin.save(mine);

        assertThat(run("identity", "replicas", "--identity", mine.toString(), "--remove", live)).isZero();
        assertThat(run("identity", "replicas", "--identity", mine.toString(), "--add", elsewhere.toString(),
                "--add", identity)).isZero();
        assertThat(out()).endsWith(dead + "\n" + live + "\n");
        assertThat(IdentityFile.load(mine).replicas()).extracting(BrokerReplica::address).containsExactly(dead, live);
        assertThat(run("channel", "create", "via-second", "--identity", mine.toString())).as(err()).isZero();

        Path probe = dir.resolve("probe.identity");
        assertThat(run("identity", "create", "probe", "--identity", mine.toString(), "--out", probe.toString())).isZero();
        assertThat(IdentityFile.load(probe).replicas()).extracting(BrokerReplica::address).containsExactly(dead, live);

        console.clear();
        assertThat(run("identity", "replicas", "--identity", mine.toString(), "--remove", "127.0.0.1:1")).isEqualTo(2);
        assertThat(err()).contains("names no replica at 127.0.0.1:1");
        assertThat(run("channel", "list", "--identity", mine.toString(), "--broker", dead, "--failover-timeout", "0"))
                .isEqualTo(1);
    }

    @Test
    void nagiosRunPublishesThePluginResultAsAStateEvent() {
        Peers.require(Path.of("/usr/lib/nagios/plugins/check_dummy"), "monitoring-plugins-basic");
        assertThat(run("channel", "create", "nagios", "--identity", identity, "--persistence", "log")).isZero();
        assertThat(run("nagios-run", "--channel", "nagios", "--identity", identity, "--source", "gw-1", "--interval", "10ms",
                "--count", "2", "--", "/usr/lib/nagios/plugins/check_dummy", "1", "disk almost full")).isZero();
        console.clear();
        assertThat(run("subscribe", "--channel", "nagios", "--identity", identity, "--from-offset", "0", "--count", "2")).isZero();
        String[] lines = out().split("\n");
        assertThat(lines[0]).contains("\"type\":\"nagios.check_dummy\"", "\"source\":\"gw-1\"", "\"to\":\"warning\"",
                "\"output\":\"WARNING: disk almost full\"").doesNotContain("\"from\"");
        assertThat(lines[1]).contains("\"from\":\"warning\",\"to\":\"warning\"");
    }

    @Test
    void metricsEndpointServesPerChannelCounters() throws Exception {
        try (var http = dev.d2r2.app.cli.BrokerCommand.startMetrics(broker, new InetSocketAddress("127.0.0.1", 0))) {
            assertThat(run("channel", "create", "m", "--identity", identity)).isZero();
            System.setIn(new ByteArrayInputStream("{\"type\":\"a\",\"time\":1}\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(run("publish", "--channel", "m", "--identity", identity)).isZero();
            run("channel", "show", "nope", "--identity", identity);
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + http.getPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("d2r2_broker_published_total{channel=\"m\"} 1.0")
                    .contains("d2r2_broker_refusals_total{reason=\"unknown_channel\"} 1.0")
                    .contains("d2r2_broker_queue_depth{channel=\"m\"} 0.0");
        }
    }

    @Test
    void brokerConfigErrorsNameFileLineAndKey() throws Exception {
        Path cfg = dir.resolve("broker.yaml");
        Files.writeString(cfg, """
                listen: 127.0.0.1:0
                channels:
                  - tag: alarms
                    ordering: total
                    prority: 9
                """);
        assertThat(run("broker", "--config", cfg.toString(), "--data", dir.resolve("d2").toString())).isEqualTo(2);
        assertThat(err()).contains(cfg + ":5:").contains("unknown key \"prority\"");
        Files.writeString(cfg, """
                channels:
                  - tag: alarms
                    overflow: sometimes
                """);
        console.clear();
        assertThat(run("broker", "--config", cfg.toString(), "--data", dir.resolve("d2").toString())).isEqualTo(2);
        assertThat(err()).contains(cfg + ":2:").contains("overflow \"sometimes\" is not one of");
    }

    private static final String LINK_DOWN = """
            chronicle LinkStaysDown {
              event(link[source=?s]:(?, down), t1)
              noevent(link[source=?s]:(down, up), (t1, t2))
              t2 - t1 in [200ms, 200ms]
              when recognized { emit LinkDown[source=?s] }
            }
            """;

    @Test
    void chronicleCheckExitsZeroOrTwoWithLocatedErrors() throws Exception {
        Path good = Files.writeString(dir.resolve("good.chr"), LINK_DOWN);
        Path bad = Files.writeString(dir.resolve("bad.chr"), "chronicle B {\n  event(A, t1)\n  t1 < t2 < t3\n}\n");
        assertThat(run("chronicle", "check", good.toString())).isZero();
        assertThat(out()).isEmpty();
        assertThat(run("chronicle", "check", good.toString(), bad.toString())).isEqualTo(2);
        assertThat(err()).contains(bad + ":3:11: expected a statement").contains("  t1 < t2 < t3\n            ^");
        assertThat(out()).isEmpty();
    }

    @Test
    void chronicleCheckOnBinaryInputIsBadInputWithItsPosition() throws Exception {
        Path binary = Files.write(dir.resolve("b.chr"), new byte[]{'c', 'h', 'r', '\n', 'x', (byte) 0xff, (byte) 0xfe, 0});
        assertThat(run("chronicle", "check", binary.toString())).isEqualTo(2);
        assertThat(err()).contains(binary + ":2:2: not UTF-8 text (byte 0xff)");
    }

    @Test
    void chronicleRunMatchesWhatIsEmittedWhenTheInputEnds() throws Exception {
        // Both LinkStaysDown are decided only at the end of input (t2 = t1 + 200 ms is past the
        // last event); TwoLinksDown needs both LinkDown they emit.
        Path chr = Files.writeString(dir.resolve("l.chr"), LINK_DOWN + """
                chronicle TwoLinksDown { event(LinkDown[source=?a], t1) event(LinkDown[source=?b], t2) t2 - t1 in [1ms, 1s] }
                """);
        Path events = Files.writeString(dir.resolve("e.jsonl"), String.join("\n",
                "{\"type\":\"link\",\"time\":1000,\"source\":\"ap-1\",\"to\":\"down\"}",
                "{\"type\":\"link\",\"time\":1050,\"source\":\"ap-2\",\"to\":\"down\"}", ""));
        assertThat(run("chronicle", "run", chr.toString(), "--events", events.toString())).isZero();
        assertThat(out().lines().toList()).hasSize(3).last().satisfies(line -> assertThat(line)
                .startsWith("{\"chronicle\":\"TwoLinksDown\",\"at\":1250,\"times\":{\"t1\":1200,\"t2\":1250}")
                .contains("\"bindings\":{\"a\":\"ap-1\",\"b\":\"ap-2\"}"));
    }

    @Test
    void chronicleRunPrintsOnlyRecognitionsOnStdoutAndReportsBadLinesOnStderr() throws Exception {
        Path chr = Files.writeString(dir.resolve("l.chr"), LINK_DOWN);
        Path events = Files.writeString(dir.resolve("e.jsonl"), String.join("\n",
                "{\"type\":\"link\",\"time\":1000,\"source\":\"ap-1\",\"to\":\"down\"}",
                "",
                "{\"type\":\"link\",\"time\":1000,\"source\":\"ap-2\",\"to\":\"down\"}",
                "{not json",
                "{\"type\":\"link\",\"time\":1100,\"source\":\"ap-2\",\"from\":\"down\",\"to\":\"up\"}",
                "{\"type\":\"link\",\"time\":900,\"source\":\"ap-3\",\"to\":\"down\"}", ""));
        assertThat(run("chronicle", "run", chr.toString(), "--events", events.toString(), "--stats", "--explain"))
                .as("bad lines are bad input, as for publish").isEqualTo(2);
        assertThat(out().lines().toList()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("{\"chronicle\":\"LinkStaysDown\",\"at\":1200,\"times\":{\"t1\":1000,\"t2\":1200},"
                        + "\"events\":[\"#1\"],\"bindings\":{\"s\":\"ap-1\"},\"uncertain\":false,\"explain\":[")
                .contains("{\"constraint\":\"t2 - t1 in [200ms, 200ms]\",\"value\":200}"));
        assertThat(err()).contains(events + ":4: ").contains(events + ":6: late event #5 dropped")
                .contains("events 4, malformed 1, late 1");
    }

    @Test
    void chronicleWatchPublishesAlertsFromBrokerChannels() throws Exception {
        Path chr = Files.writeString(dir.resolve("l.chr"), LINK_DOWN);
        assertThat(run("channel", "create", "alarms", "--identity", identity)).isZero();
        assertThat(run("channel", "create", "alerts", "--identity", identity, "--persistence", "log")).isZero();
        CompletableFuture<Integer> watch = CompletableFuture.supplyAsync(() -> run("chronicle", "watch", chr.toString(),
                "--identity", identity, "--input", "alarms", "--alerts", "alerts", "--lateness", "50ms", "--count", "1", "--print"));
        var admin = broker.connectLocal(Broker.ADMIN);
        try (var alarms = admin.publisher("alarms")) {
            org.awaitility.Awaitility.await().until(() -> subscribers("alarms") == 1);
            alarms.publish(dev.d2r2.core.Event.state("link", System.currentTimeMillis(), "ap-9", "up", "down", java.util.Map.of()));
        }
        assertThat(watch.get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        assertThat(out()).contains("\"bindings\":{\"s\":\"ap-9\"}");
        console.clear();
        assertThat(run("subscribe", "--channel", "alerts", "--identity", identity, "--from-offset", "0", "--count", "1")).isZero();
        assertThat(out()).contains("\"type\":\"LinkDown\"", "\"source\":\"ap-9\"", "\"chronicle\":\"LinkStaysDown\"");
    }

    @Test
    void lbTakesItsConfigurationFromAFileAndReportsMistakesAtTheirKey() throws Exception {
        Path bad = Files.writeString(dir.resolve("lb-bad.yaml"), "backends:\n  - {address: 127.0.0.1:5070, weight: -1}\n");
        assertThat(run("lb", "--config", bad.toString())).isEqualTo(2);
        assertThat(err()).contains(bad + ":2:").contains("the weight must be positive");
        Path badTcp = Files.writeString(dir.resolve("lb-tcp.yaml"),
                "backends: [{address: 127.0.0.1:5070}]\ntcp:\n  connections-per-source: 0\n");
        assertThat(run("lb", "--config", badTcp.toString())).isEqualTo(2);
        assertThat(err()).contains(badTcp + ":2:").contains("key tcp: tcp connections-per-source must be at least 1, not 0");
        try (dev.d2r2.sip.server.SipServer server = new dev.d2r2.sip.server.SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0)) {
            Path good = Files.writeString(dir.resolve("lb.yaml"), """
                    listen: 127.0.0.1:0
                    backends: [{address: "127.0.0.1:%d", weight: 2}]
                    affinity: from-user
                    probe-interval: 100ms
                    probe-timeout: 50ms
                    tcp: {connections: 100, idle-timeout: 30s, buffer-memory: 1MiB}
                    """.formatted(server.address().getPort()));
            assertThat(run("lb", "--config", good.toString(), "--duration", "1s")).isZero();
            assertThat(err()).contains("backends [127.0.0.1:" + server.address().getPort() + "]");
            long probes = server.counters().get("options");
            assertThat(probes).as("probed every 100 ms").isGreaterThanOrEqualTo(5);
            assertThat(run("lb", "--config", good.toString(), "--no-probe", "--duration", "500ms")).isZero();
            assertThat(server.counters().get("options")).as("no probes").isEqualTo(probes);
        }
    }

    @Test
    void monitorCheckValidatesAndMonitorPublishesAlarms() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "services:\n  - name: a\n    probes:\n      - kind: tcp\n        target: nowhere\n");
        assertThat(run("monitor", "check", "--config", bad.toString())).isEqualTo(2);
        assertThat(err()).contains(bad + ":4:").contains("is not HOST:PORT");
        try (java.net.ServerSocket target = new java.net.ServerSocket(0)) {
            Path good = Files.writeString(dir.resolve("m.yaml"), """
                    services:
                      - name: gw
                        probes: [{kind: tcp, target: "127.0.0.1:%d", interval: 100ms}]
                        thresholds: [{metric: tcp.connect_ms, warning: 1000}]
                    """.formatted(target.getLocalPort()));
            assertThat(run("monitor", "check", "--config", good.toString())).isZero();
            assertThat(out()).contains("ok, 1 services, 1 probes, 1 thresholds");
            assertThat(run("channel", "create", "metrics", "--identity", identity)).isZero();
            assertThat(run("channel", "create", "alarms", "--identity", identity, "--persistence", "log")).isZero();
            Thread monitor = Thread.ofVirtual().start(() -> run("monitor", "--config", good.toString(), "--identity", identity));
            try {
                console.clear();
                assertThat(run("subscribe", "--channel", "alarms", "--identity", identity, "--from-offset", "0", "--count", "1")).isZero();
                assertThat(out()).contains("\"type\":\"tcp.connect_ms\"", "\"source\":\"gw\"", "\"to\":\"ok\"");
            } finally {
                monitor.interrupt();
            }
        }
    }

    @Test
    void metricsQueryReadsAServicesMetricBackFromTheLogs() throws Exception {
        assertThat(run("channel", "create", "resilience", "--identity", identity, "--persistence", "log")).isZero();
        long now = System.currentTimeMillis();
        try (var admin = broker.connectLocal(Broker.ADMIN); var p = admin.publisher("resilience")) {
            p.publish(dev.d2r2.core.Event.message("resilience.availability", now - 3_600_000, "gw", java.util.Map.of("value", 0.5)));
            p.publish(dev.d2r2.core.Event.message("resilience.availability", now - 2000, "gw", java.util.Map.of("value", 0.9)));
            p.publish(dev.d2r2.core.Event.message("resilience.availability", now - 1000, "other", java.util.Map.of("value", 0.1)));
            p.publish(dev.d2r2.core.Event.message("resilience.availability", now - 1000, "gw", java.util.Map.of("value", 1.0)));
        }
        console.clear();
        assertThat(run("metrics", "query", "gw", "availability", "--since", "10m", "--identity", identity)).isZero();
        assertThat(out().lines().toList()).hasSize(2).allSatisfy(l -> assertThat(l).contains("\"source\":\"gw\""));
        assertThat(out()).contains("\"value\":0.9").contains("\"value\":1.0").doesNotContain("0.5");
        assertThat(err()).contains("gw availability since").contains("2 values").contains("last 1.0")
                .contains("skipping metrics");
    }

    private static final String POLICY = "../examples/policies/sip-flooding.yaml";
    private static final String FLOOD = "{\"id\":\"%s\",\"type\":\"FloodingSuspect\",\"time\":%d,\"source\":\"edge-1\","
            + "\"attrs\":{\"attacker\":\"%s\",\"edge\":\"edge-1\",\"chronicle\":\"FloodingSource\",\"events\":\"e1,e2\"}}";

    @Test
    void policyCheckExitsZeroOrTwoWithTheLocationOfTheMistake() throws Exception {
        assertThat(run("policy", "check", POLICY)).isZero();
        assertThat(err()).contains("sip-flooding.yaml: ok (3 contexts, 4 rules, 1 actuators)");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), Files.readString(Path.of(POLICY)).replace("for: 10m }", "}"));
        assertThat(run("policy", "check", bad.toString())).isEqualTo(2);
        assertThat(err()).contains(bad + ":57:5: key rules[1].enforce: every action needs a positive duration: for: (e.g. 10m)");
        assertThat(out()).isEmpty();
    }

    @Test
    void policySimulatePrintsOneLinePerDecisionInVirtualTimeAndTheSameEachRun() throws Exception {
        Path events = Files.writeString(dir.resolve("alerts.jsonl"), String.join("\n",
                FLOOD.formatted("a1", 1_000_000L, "198.51.100.7"),
                "{oops",
                FLOOD.formatted("a2", 1_060_000L, "198.51.100.7"), ""));
        assertThat(run("policy", "simulate", "--policy", POLICY, "--events", events.toString(), "--stats")).isZero();
        List<String> lines = out().lines().toList();
        assertThat(lines).extracting(l -> l.substring(0, l.indexOf(",\"actuator\""))).containsExactly(
                "{\"time\":1000000,\"decision\":\"deploy\",\"action\":\"sip-edge/block/198.51.100.7\"",
                "{\"time\":1000000,\"decision\":\"deploy\",\"action\":\"sip-edge/rate-limit/198.51.100.7?rate=5/s\"",
                "{\"time\":1060000,\"decision\":\"extend\",\"action\":\"sip-edge/block/198.51.100.7\"",
                "{\"time\":1060000,\"decision\":\"extend\",\"action\":\"sip-edge/rate-limit/198.51.100.7?rate=5/s\"",
                "{\"time\":1660000,\"decision\":\"revoke\",\"action\":\"sip-edge/block/198.51.100.7\"",
                "{\"time\":1660000,\"decision\":\"revoke\",\"action\":\"sip-edge/rate-limit/198.51.100.7?rate=5/s\"");
        assertThat(err()).contains(events + ":2: ").contains("events 2, malformed 1");
        console.clear();
        assertThat(run("policy", "simulate", "--policy", POLICY, "--events", events.toString())).isZero();
        assertThat(out().lines().toList()).isEqualTo(lines);
    }

    @Test
    void auditPrintsTheTrailWithCausesAndFiltersByContextAndTime() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        dev.d2r2.core.ManualClock clock = new dev.d2r2.core.ManualClock(1_795_000_000_000L);
        try (dev.d2r2.policy.AuditLog log = dev.d2r2.policy.AuditLog.open(trail)) {
            var engine = new dev.d2r2.policy.PolicyEngine(dev.d2r2.policy.Policy.load(Path.of(POLICY)), clock, null,
                    java.util.Map.of(), log, e -> {
            });
            engine.start();
            engine.accept(dev.d2r2.core.EventCodec.decode(FLOOD.formatted("a1", clock.millis(), "198.51.100.7")));
            clock.advance(java.time.Duration.ofMinutes(1));
            engine.accept(dev.d2r2.core.EventCodec.decode(FLOOD.formatted("a2", clock.millis(), "198.51.100.8")));
            engine.settle();
        }
        assertThat(run("audit", "--file", trail.toString())).isZero();
        assertThat(out().lines().toList()).hasSize(12).anySatisfy(l -> assertThat(l).isEqualTo(
                "2026-11-18T11:06:40Z  context  activated flooding{attacker=198.51.100.7,edge=edge-1}  until 2026-11-18T11:16:40Z"
                        + "  cause: FloodingSuspect a1 from chronicle FloodingSource on events e1,e2"));
        assertThat(out()).contains("2026-11-18T11:06:40Z  deploy   sip-edge/block/198.51.100.7  rule block-flooders in "
                + "flooding{attacker=198.51.100.7,edge=edge-1}  until 2026-11-18T11:16:40Z  cause: FloodingSuspect a1")
                .contains("outcome  deploy sip-edge/block/198.51.100.7: dry-run");
        console.clear();
        assertThat(run("audit", "--file", trail.toString(), "--context", "flooding{attacker=198.51.100.8,edge=edge-1}")).isZero();
        assertThat(out().lines().toList()).hasSize(5).allSatisfy(l -> assertThat(l).contains("198.51.100.8"));
        console.clear();
        assertThat(run("audit", "--file", trail.toString(), "--since", "2026-11-18T11:07:00Z", "--json")).isZero();
        assertThat(out().lines().toList()).hasSize(5).allSatisfy(l -> assertThat(l).startsWith("{\"type\":\"policy."));
        assertThat(run("audit", "--file", dir.resolve("none.jsonl").toString())).isEqualTo(2);
        assertThat(err()).contains("none.jsonl: no such file");
    }

    @Test
    void sipLoadAgainstTheBuiltInServerReportsEveryCallOk() throws Exception {
        try (var server = new dev.d2r2.sip.server.SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0)) {
            String target = "127.0.0.1:" + server.address().getPort();
            assertThat(run("sip-load", "--target", target, "--rate", "50", "--call-length", "100ms", "--users", "5",
                    "--duration", "1s")).isZero();
            assertThat(out()).containsPattern("legitimate: (\\d+) calls, \\1 ok \\(100.00 %\\)")
                    .contains("registrations 5/5 ok");
            assertThat(run("sip-load", "--target", target, "--flood-method", "OPTIONS")).isEqualTo(2);
            assertThat(err()).contains("--flood-method must be INVITE or REGISTER");
        }
    }
}
