package dev.d2r2.app.replay;

import dev.d2r2.app.Main;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.monitor.events.AlarmEvent;
import dev.d2r2.monitor.events.MonitorEvents;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.PolicyEvents;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A recorded run of {@code d2r2 demo} (its flood and its crash, on the real clock), replayed with
 * the rules it ran: every recorded decision comes back, none extra, and every alarm transition;
 * twice the same bytes; the same bytes again when a running broker serves the recording; a diff
 * against itself is empty, a diff against a tighter blast radius is not, and says why.
 */
class ReplayDemoTest {
    @TempDir
    static Path dir;
    static Path config;

    /** What a command printed on stdout, and its exit code. */
    record Run(int exit, String out) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.commandLine().execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }

    @BeforeAll
    static void recordADemoRun() {
        Run demo = run("demo", "--headless", "--duration", "30s", "--dir", dir.resolve("demo").toString());
        assertThat(demo.out()).contains("deploy sip-edge/block", "revoke sip-edge/block");
        config = dir.resolve("demo").resolve("node.yaml");
    }

    private static List<Event> recorded(String channel) throws Exception {
        List<Event> events = new ArrayList<>();
        try (RecordedLog log = RecordedLog.open(dir.resolve("demo").resolve("broker"), List.of(channel), null, null)) {
            log.play(new RecordedLog.Reader() {
                @Override
                public void record(Recorded r) {
                    events.add(r.event());
                }

                @Override
                public void missing(Output.Gap gap) {
                    throw new AssertionError("the demo's log has a gap: " + gap);
                }
            });
        }
        return events;
    }

    private static String decision(Event e) throws Exception {
        ActionDecision d = ActionDecision.from(e);
        return d.verdict().key() + " " + d.action().id() + " " + d.reason();
    }

    private static String transition(Event e) {
        return e.type() + " " + e.source() + " " + e.from() + "->" + e.to() + " at " + e.time();
    }

    @Test
    void theRecordedRunsDecisionsAndAlarmsComeBackNoneExtraAndTheSameBytesTwice() throws Exception {
        Replay.Result replayed;
        Rules rules = Rules.load(config, Rules.Overrides.NONE);
        try (RecordedLog log = RecordedLog.open(rules.recorded(), rules.inputChannels(), null, null)) {
            replayed = Replay.collect(rules, log);
        }
        assertThat(replayed.gaps()).isZero();
        List<String> wasDecided = new ArrayList<>();
        for (Event e : recorded("actions")) {
            if (PolicyEvents.DECISION.matches(e.type())) {
                wasDecided.add(decision(e));
            }
        }
        List<String> decided = new ArrayList<>();
        List<String> alarms = new ArrayList<>();
        for (Output o : replayed.outputs()) {
            assertThat(o.uncertain()).isFalse();
            if (o.kind() == Output.Kind.DECISION) {
                decided.add(decision(o.event()));
            } else if (o.kind() == Output.Kind.ALARM && !AlarmEvent.isReassertion(o.event())) {
                alarms.add(transition(o.event()));
            }
        }
        assertThat(wasDecided).as("the demo blocks flooders and unblocks them")
                .anySatisfy(d -> assertThat(d).startsWith("deploy sip-edge/block/"))
                .anySatisfy(d -> assertThat(d).startsWith("revoke sip-edge/block/"));
        assertThat(decided).containsExactlyInAnyOrderElementsOf(wasDecided);
        List<String> wasAlarmed = recorded("alarms").stream()
                .filter(e -> MonitorEvents.ALARM.matches(e.type()) && !AlarmEvent.isReassertion(e)).map(ReplayDemoTest::transition)
                .toList();
        assertThat(alarms).containsExactlyElementsOf(wasAlarmed);

        Run first = run("replay", "--config", config.toString());
        Run second = run("replay", "--config", config.toString());
        assertThat(first.exit()).isZero();
        assertThat(first.lines()).hasSize(replayed.outputs().size());
        assertThat(second.out()).isEqualTo(first.out());
    }

    @Test
    void aRunningBrokerReplaysAsItsDataDirectoryDoesAndStopsWhereItsLogEndedWhenTheReplayBegan() throws Exception {
        Run fromDirectory = run("replay", "--config", config.toString());
        assertThat(fromDirectory.exit()).isZero();
        Rules rules = Rules.load(config, Rules.Overrides.NONE);
        List<Event> recorded = new ArrayList<>();
        try (RecordedLog log = RecordedLog.open(rules.recorded(), rules.inputChannels(), null, null)) {
            log.play(collectInto(recorded));
        }
        Path copy = dir.resolve("running");
        try (Stream<Path> files = Files.walk(rules.recorded())) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(rules.recorded().relativize(f).toString()));
            }
        }
        try (Broker broker = Broker.open(copy, Clock.system());
             BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0))) {
            String address = "127.0.0.1:" + server.address().getPort();
            Path admin = broker.adminIdentityPath();
            Run fromBroker = run("replay", "--config", config.toString(), "--broker", address, "--identity", admin.toString());
            assertThat(fromBroker.out()).as("the replay of a copy of the data directory, served by a broker").isNotEmpty();
            assertThat(fromBroker.exit()).isZero();
            assertThat(fromBroker.out()).isEqualTo(fromDirectory.out());

            List<Event> read = new ArrayList<>();
            String channel = rules.inputChannels().getFirst();
            try (RecordedLog log = RecordedLog.open(address, () -> RemoteBrokerClient.connect(IdentityFile.load(admin),
                    new InetSocketAddress("127.0.0.1", server.address().getPort())), rules.inputChannels(), null, null);
                 BrokerClient client = broker.connectLocal(Broker.ADMIN); Publisher late = client.publisher(channel)) {
                for (int i = 0; i < 100; i++) {
                    late.publish(Event.message("published.after.the.replay.began", System.currentTimeMillis(), "test", Map.of()));
                }
                log.play(collectInto(read));
            }
            assertThat(read).hasSameSizeAs(recorded).extracting(Event::id).containsExactlyElementsOf(recorded.stream().map(Event::id).toList());
        }
    }

    private static RecordedLog.Reader collectInto(List<Event> events) {
        return new RecordedLog.Reader() {
            @Override
            public void record(Recorded r) {
                events.add(r.event());
            }

            @Override
            public void missing(Output.Gap gap) {
                throw new AssertionError("a gap: " + gap);
            }
        };
    }

    @Test
    void aDiffAgainstTheSameRulesIsEmptyAndAgainstATighterBlastRadiusSaysWhatWouldHaveChanged() throws Exception {
        Run same = run("replay", "--config", config.toString(), "--diff");
        assertThat(same.exit()).isZero();
        assertThat(same.out()).isEmpty();

        Path tighter = dir.resolve("tighter.yaml");
        String policy = Files.readString(dir.resolve("demo").resolve("policy.yaml"));
        Files.writeString(tighter, policy.replace("max-share: 0.5", "max-share: 0.01"));
        Run diff = run("replay", "--config", config.toString(), "--policy", tighter.toString(), "--diff");
        assertThat(diff.exit()).isEqualTo(1);
        List<String> lines = diff.lines();
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("{\"change\":\"lost\",\"kind\":\"decision\",\"key\":\"deploy ")
                .contains("\"cause\":[{", "\"kind\":\"alert\"", "FloodingSuspect", "\"kind\":\"alarm\""));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("{\"change\":\"gained\",\"kind\":\"decision\",\"key\":\"refuse ")
                .contains("\"blast_radius\":true"));
        long refused = lines.stream().filter(l -> l.startsWith("{\"change\":\"gained\",\"kind\":\"decision\",\"key\":\"refuse ")).count();
        assertThat(lines.stream().filter(l -> l.contains("\"blast_radius\":true")).count())
                .as("10 of the population of 1000 blocked at once: each refusal gained says it is the blast radius").isEqualTo(refused);

    }
}
