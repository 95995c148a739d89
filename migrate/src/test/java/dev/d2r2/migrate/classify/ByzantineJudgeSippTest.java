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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
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

    /** The judge's verdicts on {@code PROBES} probes of {@code target}, published as {@code source}. */
    private static List<AnswerJudged> judge(InetSocketAddress target, String source) throws Exception {
        List<AnswerJudged> judged = new CopyOnWriteArrayList<>();
        var settings = new JudgeRole.Settings(source, target, 100, 90, PROBES);
        try (JudgeRole judge = new JudgeRole(settings, new AnswerJudge("judge@example.org", "t1"),
                new InetSocketAddress("127.0.0.1", 0), Clock.system(), judged::add)) {
            judge.start();
            judge.awaitFinished();
        }
        return judged;
    }

    /** What the classifier of h1 (judge h1-sip, peer judge h2-sip) makes of the verdicts, as d2r2 migrate classify feeds them. */
    private static List<HostAtRisk> classify(List<AnswerJudged> judged) {
        ClassifierConfig config = new ClassifierConfig("h1", "10.97.24.2:7600", new Check("sip", "rtt_ms", "h1-sip"), null, null,
                null, null, null, null, null, null, "h1-sip", null, "h2-sip");
        List<HostAtRisk> atRisk = new CopyOnWriteArrayList<>();
        ClassifierRole classifier = new ClassifierRole(config, atRisk::add);
        for (AnswerJudged j : judged) {
            classifier.onMessage(j.toEvent());
        }
        return atRisk;
    }

    private InetSocketAddress wrongRegistrar() throws Exception {
        Peers.require(SIPP, "sip-tester");
        Path scenario = dir.resolve("wrong-registrar.xml");
        try (InputStream in = getClass().getResourceAsStream("/sipp/wrong-registrar.xml")) {
            Files.write(scenario, in.readAllBytes());
        }
        int port = freeUdpPort();
        sipp = new ProcessBuilder(SIPP.toString(), "-sf", scenario.toString(), "-i", "127.0.0.1", "-p", Integer.toString(port),
                "-nostdin", "-bind_local").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sipp.out").toFile()).start();
        awaitListening(port);
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void aRegistrarThatAnswersWithAnotherBindingIsByzantine() throws Exception {
        List<AnswerJudged> judged = judge(wrongRegistrar(), "h1-sip");
        assertThat(judged).hasSize(PROBES).allSatisfy(j -> {
            assertThat(j.verdict()).isEqualTo("wrong");
            assertThat(j.status()).isEqualTo(200);
            assertThat(j.why()).contains("the binding registered is missing").contains("mallory");
        });
        List<HostAtRisk> atRisk = classify(judged);
        assertThat(atRisk).hasSize(1);
        HostAtRisk a = atRisk.getFirst();
        assertThat(a.failureClass()).isEqualTo("byzantine");
        assertThat(a.location()).as("no peer judged: the fault may be the service's own").isEqualTo("vm");
        assertThat(a.predictable()).isTrue();
        assertThat(a.evidence()).contains("answers judged wrong");
    }

    @Test
    void wrongHereAndRightOnThePeerIsAByzantineHost() throws Exception {
        server = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        List<AnswerJudged> judged = new ArrayList<>(judge(server.address(), "h2-sip"));
        judged.addAll(judge(wrongRegistrar(), "h1-sip"));
        List<HostAtRisk> atRisk = classify(judged);
        assertThat(atRisk).extracting(HostAtRisk::failureClass, HostAtRisk::location, HostAtRisk::predictable)
                .containsExactly(tuple("byzantine", "host", true));
        assertThat(atRisk.getFirst().evidence()).contains("the same server answers right on the peer host");
    }

    @Test
    void d2r2sOwnRegistrarIsJudgedRightAndNeverAtRisk() throws Exception {
        server = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        List<AnswerJudged> judged = judge(server.address(), "h1-sip");
        assertThat(judged).hasSize(PROBES).allSatisfy(j -> assertThat(j.verdict()).isEqualTo("right"));
        assertThat(classify(judged)).isEmpty();
    }

    @Test
    void aServerThatIsNotThereIsLostNotWrong() throws Exception {
        List<AnswerJudged> judged = judge(new InetSocketAddress("127.0.0.1", freeUdpPort()), "h1-sip");
        assertThat(judged).hasSize(PROBES).allSatisfy(j -> assertThat(j.verdict()).isEqualTo("lost"));
        assertThat(classify(judged)).isEmpty();
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
