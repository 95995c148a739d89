package dev.d2r2.app.replay;

import dev.d2r2.app.Main;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import dev.d2r2.monitor.events.AlarmEvent;
import dev.d2r2.sip.events.SourceRate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code d2r2 replay} and {@code d2r2 test rules} on a small log recorded here on a virtual
 * clock (the example chronicles' five symptoms, then a source running high), and on bad input:
 * clear errors with exit 2, never a partial result presented as complete.
 */
class ReplayInputsTest {
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path dir;
    Path data;
    Path config;

    /** What a command printed on stdout and stderr, and its exit code. */
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.commandLine().execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    @BeforeEach
    void record() throws Exception {
        data = dir.resolve("data");
        Files.copy(Path.of("../examples/chronicles/sip-flooding.chr"), dir.resolve("flooding.chr"));
        Files.copy(Path.of("../examples/policies/sip-flooding.yaml"), dir.resolve("policy.yaml"));
        config = dir.resolve("node.yaml");
        Files.writeString(config, """
                name: recorded
                broker: { data: data }
                chronicles: { files: [flooding.chr], inputs: [alarms, edge], alerts: alerts }
                policy: { file: policy.yaml, inputs: [alerts], dry-run: true }
                """);
        ManualClock clock = new ManualClock(T0);
        try (Broker broker = Broker.open(data, clock); BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            for (String tag : List.of("alarms", "edge", "alerts")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER),
                        Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            admin.createChannel(new ChannelSpec("mem", ChannelClass.DEFAULT, Set.of(), Set.of()));
            try (Publisher alarms = admin.publisher("alarms"); Publisher edge = admin.publisher("edge")) {
                String[][] symptoms = {{"sip.connections", "critical"}, {"sip.registrations", "critical"},
                        {"sip.ingress_rate", "critical"}, {"host.disk", "warning"}, {"sip.egress_rate", "critical"}};
                for (String[] s : symptoms) {
                    clock.advance(Duration.ofSeconds(5));
                    alarms.publish(new AlarmEvent(s[0], clock.millis(), "edge-1", "ok", s[1], null, null, null, false, "m").toEvent());
                }
                clock.advance(Duration.ofSeconds(5));
                edge.publish(new SourceRate(clock.millis(), "edge-1", SourceRate.HIGH, "10.1.2.3", 900).toEvent());
                clock.advance(Duration.ofSeconds(5));
                edge.publish(new SourceRate(clock.millis(), "edge-1", SourceRate.NORMAL, "10.1.2.3", 3).toEvent());
            }
        }
    }

    @Test
    void aSmallRecordingReplaysToItsAlertsTheSameBytesEachTime() {
        Run first = run("replay", "--config", config.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("\"kind\":\"alert\"", "\"type\":\"FloodingAttack\"", "\"type\":\"FloodingSuspect\"",
                "\"kind\":\"context\"").doesNotContain("uncertain\":true");
        assertThat(run("replay", "--config", config.toString()).out()).isEqualTo(first.out());
        Run window = run("replay", "--config", config.toString(), "--from", Long.toString(T0 + 5_000), "--to",
                Long.toString(T0 + 12_000));
        assertThat(window.exit()).isZero();
        assertThat(window.out()).doesNotContain("FloodingAttack");
    }

    @Test
    void badInputIsAClearErrorWithExitTwo() throws Exception {
        Run notALog = run("replay", "--config", config.toString(), "--data", dir.toString());
        assertThat(notALog.exit()).isEqualTo(2);
        assertThat(notALog.err()).contains("not a broker's data directory");

        Path wiredToMem = dir.resolve("mem.yaml");
        Files.writeString(wiredToMem, Files.readString(config).replace("inputs: [alarms, edge]", "inputs: [alarms, mem]"));
        Run unrecorded = run("replay", "--config", wiredToMem.toString());
        assertThat(unrecorded.exit()).isEqualTo(2);
        assertThat(unrecorded.err()).contains("missing channel mem", "keeps no log");
        Path wiredToNothing = dir.resolve("none.yaml");
        Files.writeString(wiredToNothing, Files.readString(config).replace("inputs: [alarms, edge]", "inputs: [alarms, nope]"));
        assertThat(run("replay", "--config", wiredToNothing.toString()).err()).contains("missing channel nope", "no such channel");

        Run outside = run("replay", "--config", config.toString(), "--from", "2020-01-01T00:00:00Z");
        assertThat(outside.exit()).isEqualTo(2);
        assertThat(outside.err()).contains("is not within the log, which holds");
        assertThat(run("replay", "--config", config.toString(), "--to", "yesterday").err()).contains("not an instant");

        Files.writeString(dir.resolve("bad.yaml"), "rules:\n  - name: r\n    kind: maybe\n");
        Run badPolicy = run("replay", "--config", config.toString(), "--policy", dir.resolve("bad.yaml").toString());
        assertThat(badPolicy.exit()).isEqualTo(2);
        assertThat(badPolicy.err()).contains("bad.yaml:3:");
        assertThat(badPolicy.out()).isEmpty();
        Run diffWithoutConfig = run("replay", "--data", data.toString(), "--diff", "--policy", dir.resolve("policy.yaml").toString());
        assertThat(diffWithoutConfig.exit()).isEqualTo(2);
    }

    @Test
    void aRecordThatIsNotAnEventIsAGapAndWhatFollowsIsUncertain() throws Exception {
        try (Broker broker = Broker.open(data, new ManualClock(T0 + 36_000)); BrokerClient admin = broker.connectLocal(Broker.ADMIN);
             Publisher alarms = admin.publisher("alarms"); Publisher edge = admin.publisher("edge")) {
            alarms.publish("not an event".getBytes(StandardCharsets.UTF_8));
            alarms.publish(Event.state("sip.ingress_rate", T0 + 36_000, "edge-1", "critical", "ok", java.util.Map.of()));
            edge.publish(new SourceRate(T0 + 36_000, "edge-1", SourceRate.HIGH, "10.7.7.7", 800).toEvent());
        }
        Run r = run("replay", "--config", config.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("\"kind\":\"missing\",\"uncertain\":true,\"channel\":\"alarms\",\"from\":" + (T0 + 36_000)
                + ",\"to\":" + (T0 + 36_000) + ",\"count\":1}");
        assertThat(r.err()).contains("1 gaps in the log", "marked uncertain");
        List<String> after = r.out().lines().filter(l -> l.contains("10.7.7.7")).toList();
        assertThat(after).as("the suspect after the gap, and what the policy made of it")
                .anySatisfy(l -> assertThat(l).contains("\"kind\":\"alert\",\"uncertain\":true", "\"uncertain\":true,\"events\""))
                .anySatisfy(l -> assertThat(l).contains("\"kind\":\"decision\""))
                .allSatisfy(l -> assertThat(l).contains("\"uncertain\":true"));
        assertThat(r.out().lines().filter(l -> l.contains("10.1.2.3")).toList()).as("certain before the gap, uncertain from it on")
                .anySatisfy(l -> assertThat(l).doesNotContain("\"uncertain\":true"))
                .allSatisfy(l -> assertThat(l.contains("\"uncertain\":true")).isEqualTo(l.startsWith("{\"at\":" + (T0 + 36_000))));
    }

    @Test
    void ruleTestsPassFailOrDoNotCheck() throws Exception {
        Run examples = run("test", "rules", "../examples/chronicles/sip-flooding.test.yaml", "../examples/policies/sip-flooding.test.yaml",
                "../examples/sip-flooding.test.yaml");
        assertThat(examples.exit()).as(examples.out()).isZero();
        assertThat(examples.out()).contains("11 passed, 0 failed");

        Files.writeString(dir.resolve("slice.test.yaml"), """
                config: node.yaml
                tests:
                  - name: the recorded flood
                    slice: { data: data }
                    expect:
                      alerts:
                        - { type: FloodingAttack, source: edge-1 }
                        - { type: FloodingSuspect, attacker: 10.1.2.3 }
                  - name: a wrong expectation
                    slice: { data: data }
                    expect:
                      alerts:
                        - { type: FloodingAttack, source: edge-2 }
                """);
        Run slice = run("test", "rules", dir.resolve("slice.test.yaml").toString());
        assertThat(slice.exit()).isEqualTo(1);
        assertThat(slice.out()).contains("PASS", "the recorded flood", "FAIL", "a wrong expectation", "alerts: expected 1, got 2",
                "expected, not found: {type=FloodingAttack, source=edge-2}", "not expected:", "1 passed, 1 failed");

        Files.writeString(dir.resolve("typo.test.yaml"), "tests:\n  - name: x\n    inputs: []\n");
        Run typo = run("test", "rules", dir.resolve("typo.test.yaml").toString());
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).contains("typo.test.yaml:2:", "give input");
    }
}
