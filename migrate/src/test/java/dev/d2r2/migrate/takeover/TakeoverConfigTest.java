package dev.d2r2.migrate.takeover;

import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TakeoverConfigTest {
    private static final String PEERS = """
            peers:
              - name: master
                address: 10.0.0.1:7400
              - name: witness
                address: 10.0.0.3:7400
            """;

    private static TakeoverConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("t.yaml", yaml, TakeoverConfig.class);
    }

    @Test
    void defaultsAreTheSeeds() throws Exception {
        TakeoverConfig c = parse("""
                name: backup
                role: backup
                listen: 10.0.0.2:7400
                keyFile: k
                address: 10.0.0.100/24
                interface: eth0
                """ + PEERS);
        assertThat(c.periodDuration()).isEqualTo(Duration.ofMillis(10));
        assertThat(c.missCount()).isEqualTo(3);
        assertThat(c.iface()).isEqualTo("eth0");
    }

    @Test
    void twoMembersCannotFence() {
        assertThatThrownBy(() -> parse("""
                name: backup
                role: backup
                listen: 10.0.0.2:7400
                keyFile: k
                address: 10.0.0.100/24
                interface: eth0
                peers:
                  - name: master
                    address: 10.0.0.1:7400
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("t.yaml:7:").hasMessageContaining("majority");
    }

    @Test
    void mistakesAreReportedAtTheirLine() {
        assertThatThrownBy(() -> parse("""
                name: w
                role: witness
                listen: 10.0.0.3:7400
                keyFile: k
                address: 10.0.0.100/24
                """ + PEERS)).hasMessageStartingWith("t.yaml:5:").hasMessageContaining("witness never holds");
        assertThatThrownBy(() -> parse("""
                name: b
                role: backup
                listen: 10.0.0.2:7400
                keyFile: k
                address: 10.0.0.100
                interface: eth0
                """ + PEERS)).hasMessageStartingWith("t.yaml:5:").hasMessageContaining("prefix");
        assertThatThrownBy(() -> parse("""
                name: b
                role: boss
                """)).hasMessageStartingWith("t.yaml:2:");
        assertThatThrownBy(() -> parse("""
                name: b
                role: backup
                listen: 10.0.0.2:7400
                keyFile: k
                address: 10.0.0.100/24
                interface: eth0
                period: 0ms
                """ + PEERS)).hasMessageStartingWith("t.yaml:7:").hasMessageContaining("at least 1ms");
    }
}
