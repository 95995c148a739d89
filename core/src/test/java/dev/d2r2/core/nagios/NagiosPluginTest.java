package dev.d2r2.core.nagios;

import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Against Debian's real monitoring-plugins. */
class NagiosPluginTest {
    static final Path PLUGINS = Path.of("/usr/lib/nagios/plugins");

    @BeforeEach
    void plugins() {
        Peers.require(PLUGINS.resolve("check_dummy"), "monitoring-plugins-basic");
        Peers.require(PLUGINS.resolve("check_tcp"), "monitoring-plugins-basic");
    }

    @Test
    void checkDummyMapsEachExitCode() {
        for (NagiosState s : NagiosState.values()) {
            PluginOutput o = NagiosPlugin.run(List.of(PLUGINS.resolve("check_dummy").toString(),
                    Integer.toString(s.ordinal()), "hello " + s), Duration.ofSeconds(10));
            assertThat(o.state()).isEqualTo(s);
            assertThat(o.text()).contains("hello " + s);
        }
    }

    @Test
    void checkTcpAgainstAnOpenAndAClosedPort() throws Exception {
        int closedPort;
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            PluginOutput ok = NagiosPlugin.run(List.of(PLUGINS.resolve("check_tcp").toString(), "-H", "127.0.0.1",
                    "-p", Integer.toString(open.getLocalPort())), Duration.ofSeconds(10));
            assertThat(ok.state()).isEqualTo(NagiosState.OK);
            assertThat(ok.perfData()).extracting(PerfData::label).contains("time");
            assertThat(ok.perfData().getFirst().unit()).isEqualTo("s");
            closedPort = open.getLocalPort();
        }
        PluginOutput down = NagiosPlugin.run(List.of(PLUGINS.resolve("check_tcp").toString(), "-H", "127.0.0.1",
                "-p", Integer.toString(closedPort)), Duration.ofSeconds(10));
        assertThat(down.state()).isEqualTo(NagiosState.CRITICAL);
    }

    @Test
    void aHungPluginIsUnknownWithinItsTimeout() {
        long t0 = System.nanoTime();
        PluginOutput o = NagiosPlugin.run(List.of("sh", "-c", "sleep 30"), Duration.ofMillis(300));
        assertThat(o.state()).isEqualTo(NagiosState.UNKNOWN);
        assertThat(o.text()).contains("timed out after 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aMissingPluginIsUnknown() {
        PluginOutput o = NagiosPlugin.run(List.of("/nonexistent/check_x"), Duration.ofSeconds(1));
        assertThat(o.state()).isEqualTo(NagiosState.UNKNOWN);
        assertThat(o.text()).contains("cannot run /nonexistent/check_x");
    }
}
