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

    @Test
    void aNatFrontIsAWitnessWithTargetsAmongItsPeersAndTheMembersBehindItHoldNoAddress() throws Exception {
        TakeoverConfig front = parse("""
                name: front
                role: witness
                listen: 10.0.0.3:7400
                keyFile: k
                nat:
                  public: 203.0.113.10:5060
                  targets: { master: 10.0.0.1:5060, backup: 10.0.0.2:5060 }
                peers:
                  - name: master
                    address: 10.0.0.1:7400
                  - name: backup
                    address: 10.0.0.2:7400
                """);
        assertThat(front.nat().table()).isEqualTo("d2r2_takeover");
        assertThat(front.nat().target("backup").getPort()).isEqualTo(5060);
        assertThat(parse("name: backup\nrole: backup\nlisten: 10.0.0.2:7400\nkeyFile: k\n" + PEERS).address()).isNull();

        assertThatThrownBy(() -> parse("""
                name: master
                role: master
                listen: 10.0.0.1:7400
                keyFile: k
                nat: { public: 203.0.113.10:5060, targets: { backup: 10.0.0.2:5060 } }
                """ + PEERS.replace("master", "backup"))).hasMessageStartingWith("t.yaml:5:").hasMessageContaining("only a witness");
        assertThatThrownBy(() -> parse("""
                name: w
                role: witness
                listen: 10.0.0.3:7400
                keyFile: k
                nat:
                  public: 203.0.113.10:5060
                  targets: { intruder: 10.0.0.9:5060 }
                """ + PEERS)).hasMessageStartingWith("t.yaml:").hasMessageContaining("intruder is not a peer");
        assertThatThrownBy(() -> parse("""
                name: w
                role: witness
                listen: 10.0.0.3:7400
                keyFile: k
                nat:
                  public: "[2001:db8::1]:5060"
                  targets: { master: 10.0.0.1:5060 }
                """ + PEERS)).hasMessageStartingWith("t.yaml:6:").hasMessageContaining("IPv4");
        assertThatThrownBy(() -> parse("""
                name: w
                role: witness
                listen: 10.0.0.3:7400
                keyFile: k
                nat:
                  public: 203.0.113.10:5060
                  targets: { master: 10.0.0.1:5060 }
                  table: "x; flush ruleset"
                """ + PEERS)).hasMessageStartingWith("t.yaml:8:").hasMessageContaining("table");
    }
}
