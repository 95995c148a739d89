package dev.d2r2.app;

import dev.d2r2.core.EventCodec;
import dev.d2r2.migrate.events.HostAtRisk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** {@code d2r2 migrate classify}: monitor events in, one migration.host.at-risk per change of verdict out; bad input exit 2. */
class MigrateClassifyCliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    @BeforeEach
    void capture() throws Exception {
        Files.writeString(dir.resolve("classify.yaml"), """
                host: h1
                spare: 10.97.24.2:7600
                service: { probe: sip, value: rtt_ms, source: h1-sip }
                host-check: { probe: icmp, source: h1 }
                warnings: [ { type: disk.reallocated, source: h1 } ]
                """);
    }

    private int classify(String... lines) throws Exception {
        Path events = dir.resolve("events.jsonl");
        Files.writeString(events, String.join("\n", lines) + "\n");
        return Main.commandLine().execute("migrate", "classify", "--config", dir.resolve("classify.yaml").toString(), "--events",
                events.toString());
    }

    private List<HostAtRisk> printed() throws Exception {
        List<HostAtRisk> list = new ArrayList<>();
        for (String line : console.out().lines().toList()) {
            list.add(HostAtRisk.from(EventCodec.decode(line)));
        }
        return list;
    }

    @Test
    void aWarningThenLostProbesAreAPredictedThenASuddenCrash() throws Exception {
        assertThat(classify(
                "{\"type\":\"sip.rtt_ms\",\"time\":1,\"source\":\"h1-sip\",\"attrs\":{\"value\":3.5}}",
                "{\"type\":\"disk.reallocated\",\"time\":2,\"source\":\"h1\",\"from\":\"ok\",\"to\":\"critical\",\"attrs\":{\"value\":40}}",
                "{\"type\":\"disk.reallocated\",\"time\":3,\"source\":\"h1\",\"from\":\"critical\",\"to\":\"ok\",\"attrs\":{\"value\":0}}",
                "{\"type\":\"sip.error\",\"time\":4,\"source\":\"h1-sip\",\"attrs\":{\"error\":\"timed out\"}}",
                "{\"type\":\"sip.error\",\"time\":5,\"source\":\"h1-sip\",\"attrs\":{\"error\":\"timed out\"}}",
                "{\"type\":\"sip.error\",\"time\":6,\"source\":\"h1-sip\",\"attrs\":{\"error\":\"timed out\"}}",
                "{\"type\":\"icmp.error\",\"time\":7,\"source\":\"h1\",\"attrs\":{\"error\":\"timed out\"}}")).isZero();
        assertThat(printed()).extracting(HostAtRisk::time, HostAtRisk::failureClass, HostAtRisk::location, HostAtRisk::predictable)
                .containsExactly(tuple(2L, "crash", "host", true),
                        tuple(5L, "omission", "vm", true),
                        tuple(6L, "crash", "vm", false),
                        tuple(7L, "crash", "host", false));
        assertThat(printed()).allSatisfy(a -> assertThat(a.spare()).isEqualTo("10.97.24.2:7600"));
        assertThat(console.err()).contains("7 events, 0 unreadable lines, 0 probe values or judge verdicts malformed, 4 verdicts");
    }

    @Test
    void badLinesAndValuesAreCountedAndExitTwo() throws Exception {
        assertThat(classify("{\"type\":\"sip.rtt_ms\",\"time\":1,\"source\":\"h1-sip\",\"attrs\":{\"value\":\"fast\"}}", "not json"))
                .isEqualTo(2);
        assertThat(console.err()).contains("events.jsonl:2: ").contains("1 unreadable lines, 1 probe values or judge verdicts malformed");
        assertThat(console.out()).isEmpty();
    }

    @Test
    void aMistakeInTheConfigurationIsShownAtItsLine() throws Exception {
        Files.writeString(dir.resolve("classify.yaml"), "host: h1\nspare: 10.97.24.2:7600\nservice: { probe: sip, value: rtt_ms, source: s }\n"
                + "window: 2\ncrash-after: 3\n");
        assertThat(classify("{\"type\":\"sip.rtt_ms\",\"time\":1,\"source\":\"s\",\"attrs\":{\"value\":1}}")).isEqualTo(2);
        assertThat(console.err()).contains("classify.yaml:5:").contains("crash-after must be 1 to window (2)");
    }
}
