package dev.d2r2.migrate.classify;

import dev.d2r2.core.Clock;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.migrate.classify.ClassifierConfig.Check;
import dev.d2r2.migrate.events.AnswerJudged;
import dev.d2r2.migrate.events.HostAtRisk;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The answer judge against real servers on loopback: a SIPp registrar that answers every
 * REGISTER with 200 OK and someone else's binding (alive, answering, wrong) and d2r2's own SIP
 * server; the judge's verdicts go through the failure classifier as d2r2 migrate classify feeds
 * them. The monitor's probes would find both servers healthy: only the judge tells them apart.
 */
class ByzantineJudgeSippTest {
    private static final Path SIPP = Path.of("/usr/bin/sipp");
    private static final int PROBES = 4;

    @TempDir
    Path dir;
    private Process sipp;
    private SipServer server;

    @AfterEach
    void stop() throws Exception {
        if (sipp != null) {
            sipp.destroy();
            if (!sipp.waitFor(10, TimeUnit.SECONDS)) {
                sipp.destroyForcibly();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The judge's verdicts on {@code PROBES} probes of {@code target}, fed to a classifier as d2r2 migrate classify does. */
    private record Outcome(List<AnswerJudged> judged, List<HostAtRisk> atRisk) {
    }

    private static Outcome judge(InetSocketAddress target) throws Exception {
        ClassifierConfig config = new ClassifierConfig("h1", "10.97.24.2:7600", new Check("sip", "rtt_ms", "h1-sip"), null, null,
                null, null, null, null, null, null, "h1-sip", null);
        List<HostAtRisk> atRisk = new CopyOnWriteArrayList<>();
        ClassifierRole classifier = new ClassifierRole(config, atRisk::add);
        List<AnswerJudged> judged = new CopyOnWriteArrayList<>();
        var settings = new JudgeRole.Settings("h1-sip", target, 100, 90, PROBES);
        try (JudgeRole judge = new JudgeRole(settings, new AnswerJudge("judge@example.org", "t1"),
                new InetSocketAddress("127.0.0.1", 0), Clock.system(), judged::add)) {
            judge.start();
            judge.awaitFinished();
        }
        for (AnswerJudged j : judged) {
            classifier.onMessage(j.toEvent());
        }
        return new Outcome(judged, atRisk);
    }

    @Test
    void aRegistrarThatAnswersWithAnotherBindingIsByzantine() throws Exception {
        Peers.require(SIPP, "sip-tester");
        Path scenario = dir.resolve("wrong-registrar.xml");
        try (InputStream in = getClass().getResourceAsStream("/sipp/wrong-registrar.xml")) {
            Files.write(scenario, in.readAllBytes());
        }
        int port = freeUdpPort();
        sipp = new ProcessBuilder(SIPP.toString(), "-sf", scenario.toString(), "-i", "127.0.0.1", "-p", Integer.toString(port),
                "-nostdin", "-bind_local").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sipp.out").toFile()).start();
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
        awaitListening(port);

        Outcome o = judge(target);
        assertThat(o.judged()).hasSize(PROBES).allSatisfy(j -> {
            assertThat(j.verdict()).isEqualTo("wrong");
            assertThat(j.status()).isEqualTo(200);
            assertThat(j.why()).contains("the binding registered is missing").contains("mallory");
        });
        assertThat(o.atRisk()).hasSize(1);
        HostAtRisk a = o.atRisk().getFirst();
        assertThat(a.failureClass()).isEqualTo("byzantine");
        assertThat(a.location()).isEqualTo("vm");
        assertThat(a.predictable()).isTrue();
        assertThat(a.evidence()).contains("answers judged wrong");
    }

    @Test
    void d2r2sOwnRegistrarIsJudgedRightAndNeverAtRisk() throws Exception {
        server = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        Outcome o = judge(server.address());
        assertThat(o.judged()).hasSize(PROBES).allSatisfy(j -> assertThat(j.verdict()).isEqualTo("right"));
        assertThat(o.atRisk()).isEmpty();
    }

    @Test
    void aServerThatIsNotThereIsLostNotWrong() throws Exception {
        Outcome o = judge(new InetSocketAddress("127.0.0.1", freeUdpPort()));
        assertThat(o.judged()).hasSize(PROBES).allSatisfy(j -> assertThat(j.verdict()).isEqualTo("lost"));
        assertThat(o.atRisk()).isEmpty();
    }

    /** SIPp listens once the kernel lists a UDP socket on its port. */
    private static void awaitListening(int port) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Process p = new ProcessBuilder("ss", "-Hunl", "sport = :" + port).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out.contains(":" + port);
        });
    }
}
