package dev.d2r2.monitor;

import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The sip-options probe against a real SIPp UAS that answers OPTIONS, over UDP and TCP. */
class SipOptionsProbeTest {
    private static final Path SIPP = Path.of("/usr/bin/sipp");
    @TempDir
    Path dir;

    private static Probe probe(String target) {
        return ProbeKinds.of("sip-options").create(new ProbeConfig("sip-options", null, target, null, null, null, null, null, null, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void measuresTheResponseCodeAndRoundTripOfASipServer(String transport) throws Exception {
        Peers.require(SIPP, "sip-tester");
        int port;
        try (DatagramSocket u = new DatagramSocket(0); ServerSocket t = new ServerSocket(0)) {
            port = transport.equals("udp") ? u.getLocalPort() : t.getLocalPort();
        }
        Path scenario = dir.resolve("options-uas.xml");
        try (var in = getClass().getResourceAsStream("/sipp/options-uas.xml")) {
            Files.write(scenario, in.readAllBytes());
        }
        Process sipp = new ProcessBuilder(SIPP.toString(), "-sf", scenario.toString(), "-i", "127.0.0.1", "-p", Integer.toString(port),
                "-t", transport.equals("udp") ? "u1" : "t1", "-nostdin")
                .redirectErrorStream(true).redirectOutput(dir.resolve("sipp.out").toFile()).start();
        try {
            Probe p = probe("sip:127.0.0.1:" + port + ";transport=" + transport);
            Measurement m = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> p.measure(Duration.ofSeconds(1)), x -> x != null);
            assertThat(m.values()).containsEntry("code", 200.0);
            assertThat(m.values().get("rtt_ms")).isPositive().isLessThan(1000);
        } finally {
            sipp.destroy();
            sipp.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void silenceIsAProbeFailure() throws Exception {
        try (DatagramSocket quiet = new DatagramSocket(0)) {
            assertThatThrownBy(() -> probe("127.0.0.1:" + quiet.getLocalPort()).measure(Duration.ofMillis(700)))
                    .isInstanceOf(ProbeException.class).hasMessageContaining("no final response");
        }
    }
}
