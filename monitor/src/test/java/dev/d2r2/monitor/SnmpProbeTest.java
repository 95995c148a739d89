package dev.d2r2.monitor;

import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The snmp probe against a real Net-SNMP agent, started on a loopback port with its own config. */
class SnmpProbeTest {
    private static final Path SNMPD = Path.of("/usr/sbin/snmpd");
    private static final String UPTIME = "1.3.6.1.2.1.1.3.0";
    /** snmpInPkts: messages the agent received; not cached by the agent, unlike the interface table. */
    private static final String IN_PKTS = "1.3.6.1.2.1.11.1.0";
    @TempDir
    static Path dir;
    static Process agent;
    static int port;

    @BeforeAll
    static void startAgent() throws Exception {
        Peers.require(SNMPD, "snmpd");
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = Files.writeString(dir.resolve("snmpd.conf"), String.join("\n",
                "agentAddress udp:127.0.0.1:" + port,
                "rocommunity d2r2pub 127.0.0.1",
                "createUser d2r2user SHA \"authpassword1\" AES \"privpassword1\"",
                "rouser d2r2user priv",
                ""));
        Files.createDirectories(dir.resolve("persist"));
        ProcessBuilder pb = new ProcessBuilder(SNMPD.toString(), "-f", "-Lf", dir.resolve("snmpd.log").toString(), "-C",
                "-c", conf.toString(), "-p", dir.resolve("snmpd.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("snmpd.out").toFile());
        pb.environment().put("SNMP_PERSISTENT_DIR", dir.resolve("persist").toString());
        pb.environment().put("MIBS", "");
        agent = pb.start();
        Probe v2 = v2c("d2r2pub");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> v2.measure(Duration.ofMillis(500)) != null);
    }

    @AfterAll
    static void stopAgent() throws InterruptedException {
        if (agent != null) {
            agent.destroy();
            agent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> oids() {
        Map<String, String> oids = new LinkedHashMap<>();
        oids.put("uptime", UPTIME);
        oids.put("in_pkts", IN_PKTS);
        return oids;
    }

    private static Probe v2c(String community) {
        return probe(new SnmpOptions("2c", community, null, null, null, null, null));
    }

    private static Probe probe(SnmpOptions o) {
        ProbeConfig c = new ProbeConfig("snmp", null, "127.0.0.1:" + port, null, null, null, null, null, oids(), o);
        return ProbeKinds.of("snmp").create(c);
    }

    @Test
    void v2cReadsGaugesAndTurnsCountersIntoRates() throws Exception {
        Probe p = v2c("d2r2pub");
        Measurement first = p.measure(Duration.ofSeconds(2));
        assertThat(first.values().get("uptime")).isPositive();
        assertThat(first.values()).doesNotContainKey("in_pkts");
        Measurement second = p.measure(Duration.ofSeconds(2));
        assertThat(second.values().get("in_pkts")).as("our own GETs, per second").isPositive();
    }

    @Test
    void v3AuthPrivWorksAndWrongPasswordsDoNot() throws Exception {
        Probe good = probe(new SnmpOptions("3", null, "d2r2user", "SHA", "authpassword1", "AES", "privpassword1"));
        assertThat(good.measure(Duration.ofSeconds(2)).values().get("uptime")).isPositive();
        Probe bad = probe(new SnmpOptions("3", null, "d2r2nobody", "SHA", "wrongpassword", "AES", "privpassword1"));
        assertThatThrownBy(() -> bad.measure(Duration.ofSeconds(1))).isInstanceOf(ProbeException.class)
                .hasMessageContaining("refused");
    }

    @Test
    void aWrongCommunityGetsNoAnswer() {
        assertThatThrownBy(() -> v2c("guess").measure(Duration.ofMillis(500))).isInstanceOf(ProbeException.class)
                .hasMessageContaining("did not answer");
    }
}
