package dev.d2r2.app;

import dev.d2r2.core.EventCodec;
import dev.d2r2.migrate.events.AnswerJudged;
import dev.d2r2.migrate.events.HostAtRisk;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@code d2r2 migrate judge} against d2r2's own SIP server on loopback (every answer right) and a
 * port where nothing listens (every probe lost); then its verdicts, with wrong ones, through
 * {@code d2r2 migrate classify} with a judge: a Byzantine failure, located by the peer's verdicts.
 */
class MigrateJudgeCliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    private List<AnswerJudged> judged() throws Exception {
        List<AnswerJudged> list = new ArrayList<>();
        for (String line : console.out().lines().toList()) {
            list.add(AnswerJudged.from(EventCodec.decode(line)));
        }
        return list;
    }

    private int judge(InetSocketAddress server) {
        return Main.commandLine().execute("migrate", "judge", "--server", "127.0.0.1:" + server.getPort(), "--source", "h1-sip",
                "--bind", "127.0.0.1:0", "--period", "100ms", "--timeout", "90ms", "--count", "3");
    }

    @Test
    void d2r2sRegistrarIsJudgedRight() throws Exception {
        try (SipServer server = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0)) {
            assertThat(judge(server.address())).isZero();
        }
        assertThat(judged()).extracting(AnswerJudged::service, AnswerJudged::verdict, AnswerJudged::status)
                .containsExactly(tuple("h1-sip", "right", 200L), tuple("h1-sip", "right", 200L), tuple("h1-sip", "right", 200L));
        assertThat(console.err()).contains("right 3, wrong 0, refused 0, lost 0");
    }

    @Test
    void nobodyThereIsLost() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(judge(new InetSocketAddress("127.0.0.1", port))).isZero();
        assertThat(judged()).extracting(AnswerJudged::verdict).containsExactly("lost", "lost", "lost");
    }

    @Test
    void wrongAnswersHereAndRightOnesOnThePeerAreAByzantineHost() throws Exception {
        Files.writeString(dir.resolve("classify.yaml"), """
                host: h1
                spare: 10.97.24.2:7600
                service: { probe: sip, value: rtt_ms, source: h1-sip }
                judge: h1-sip
                peer-judge: h2-sip
                """);
        String wrong = "{\"type\":\"migration.answer.judged\",\"time\":%d,\"source\":\"h1-sip\",\"attrs\":{\"server\":\"10.0.0.1:5060\","
                + "\"verdict\":\"wrong\",\"status\":200,\"why\":\"the binding registered is missing\"}}";
        String peerRight = "{\"type\":\"migration.answer.judged\",\"time\":1,\"source\":\"h2-sip\",\"attrs\":{\"server\":\"10.0.0.2:5060\","
                + "\"verdict\":\"right\",\"status\":200,\"why\":\"\"}}";
        String unreadable = "{\"type\":\"migration.answer.judged\",\"time\":5,\"source\":\"h1-sip\",\"attrs\":{\"verdict\":\"wrong\"}}";
        Path events = dir.resolve("events.jsonl");
        Files.writeString(events, String.join("\n", peerRight, wrong.formatted(2), wrong.formatted(3), unreadable) + "\n");
        assertThat(Main.commandLine().execute("migrate", "classify", "--config", dir.resolve("classify.yaml").toString(),
                "--events", events.toString())).as("a verdict without its server is counted as bad input").isEqualTo(2);
        List<HostAtRisk> atRisk = new ArrayList<>();
        for (String line : console.out().lines().toList()) {
            atRisk.add(HostAtRisk.from(EventCodec.decode(line)));
        }
        assertThat(atRisk).extracting(HostAtRisk::time, HostAtRisk::failureClass, HostAtRisk::location, HostAtRisk::predictable)
                .containsExactly(tuple(3L, "byzantine", "host", true));
        assertThat(console.err()).contains("4 events, 0 unreadable lines, 1 probe values or judge verdicts malformed, 1 verdicts");
    }
}
