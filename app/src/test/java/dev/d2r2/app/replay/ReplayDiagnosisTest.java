package dev.d2r2.app.replay;

import dev.d2r2.app.Main;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.ManualClock;
import dev.d2r2.diagnosis.ProfilesFile;
import dev.d2r2.diagnosis.Trainer;
import dev.d2r2.diagnosis.VoteSettings;
import dev.d2r2.monitor.events.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The peer-similarity diagnosis in a replay: five peers' samples recorded by a broker, one of
 * them burning CPU for a while, replayed with the profiles learned from a fault-free stretch —
 * that peer alone is indicted, then cleared; without the fault nobody is.
 */
class ReplayDiagnosisTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final long WINDOW_MS = 5_000;
    private static final List<String> METRICS = List.of("os.cpu_pct", "os.ctx_switches_per_s");
    private static final List<String> PEERS = List.of("s1", "s2", "s3", "s4", "s5");

    @TempDir
    Path dir;

    /** One sample per metric, peer and second over {@code windows}; s1 burns {@code hog} % more CPU in windows [from, to). */
    private static List<Sample> samples(long seed, int windows, int from, int to, double hog) {
        Random r = new Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            double load = 10 + 90 * r.nextDouble();
            for (long t = w * WINDOW_MS; t < (w + 1) * WINDOW_MS; t += 1_000) {
                for (String peer : PEERS) {
                    double cpu = load * (1 + 0.03 * r.nextGaussian()) + (peer.equals("s1") && w >= from && w < to ? hog : 0);
                    out.add(new Sample(METRICS.get(0), T0 + t, peer, cpu, "mon"));
                    out.add(new Sample(METRICS.get(1), T0 + t, peer, load * 50 * (1 + 0.03 * r.nextGaussian()), "mon"));
                }
            }
        }
        return out;
    }

    private Path node(List<Sample> recorded) throws Exception {
        List<Sample> training = samples(7, 40, 0, 0, 0);
        Trainer.Request request = new Trainer.Request(METRICS, "os", Map.of(), WINDOW_MS, 3, VoteSettings.DEFAULTS, 0.25, 42);
        ProfilesFile.write(Trainer.train(training, request).profiles(), dir.resolve("profiles.json"));
        ManualClock clock = new ManualClock(T0);
        try (Broker broker = Broker.open(dir.resolve("broker"), clock); BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            admin.createChannel(new ChannelSpec("metrics", ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER),
                    Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            try (Publisher metrics = admin.publisher("metrics")) {
                for (Sample s : recorded) {
                    clock.advance(Duration.ofMillis(Math.max(0, s.time() - clock.millis())));
                    metrics.publish(s.toEvent());
                }
            }
        }
        Path config = dir.resolve("node.yaml");
        Files.writeString(config, """
                name: n1
                broker: { data: broker }
                diagnosis: { profiles: profiles.json, groups: { sip: [s1, s2, s3, s4, s5] } }
                """);
        return config;
    }

    private static String replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute(args)).isZero();
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void theSickPeerAloneIsIndictedAndClearedInTheReplay() throws Exception {
        // the healthy load spans 10-100 % from window to window, and effects are measured in that spread:
        // a hog must be several times the load to be an absolute effect at the default floor
        Path config = node(samples(11, 30, 10, 16, 1000));
        String first = replay("replay", "--config", config.toString());
        List<String> verdicts = first.lines().filter(l -> l.contains("\"kind\":\"diagnosis\"")).toList();
        assertThat(verdicts).as(first).hasSize(2);
        assertThat(verdicts.get(0)).contains("\"type\":\"diagnosis.indicted\"", "\"source\":\"s1\"");
        assertThat(verdicts.get(1)).contains("\"type\":\"diagnosis.cleared\"", "\"source\":\"s1\"");
        long indictedAt = Long.parseLong(verdicts.get(0).replaceAll("^\\{\"at\":(\\d+),.*", "$1"));
        assertThat(indictedAt).as("within 3 windows of the hog's start, counting the grace")
                .isBetween(T0 + 11 * WINDOW_MS, T0 + 13 * WINDOW_MS + WINDOW_MS);
        assertThat(replay("replay", "--config", config.toString())).isEqualTo(first);
        assertThat(replay("replay", "--config", config.toString(), "--diff")).isEmpty();
    }

    @Test
    void nobodyIsIndictedWithoutTheFault() throws Exception {
        Path config = node(samples(11, 30, 0, 0, 0));
        assertThat(replay("replay", "--config", config.toString())).doesNotContain("\"kind\":\"diagnosis\"");
    }
}
