package dev.d2r2.migrate.live;

import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A migration host's file: defaults, and mistakes shown at their line. */
class HostConfigTest {
    private static final String HOST = """
            name: h1
            transfer: 127.0.0.1:7600
            keyFile: hosts.key
            api: 127.0.0.1:7700
            tokenFile: api.token
            """;

    private static HostConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("h.yaml", HOST + yaml, HostConfig.class);
    }

    @Test
    void defaultsAndNoSnapshotsAtAll() throws Exception {
        assertThat(parse("").snapshots()).isNull();
        HostConfig.Snapshots s = parse("snapshots:\n  keeper: 127.0.0.2:7600\n").snapshots();
        assertThat(s.periodOrDefault()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.keepOrDefault()).isEqualTo(10);
        assertThat(s.dir()).isNull();
        HostConfig.Snapshots kept = parse("snapshots:\n  dir: kept\n  keep: 3\n  period: 250ms\n").snapshots();
        assertThat(kept.keepOrDefault()).isEqualTo(3);
        assertThat(kept.periodOrDefault()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void mistakesAreShownAtTheirLine() {
        assertThatThrownBy(() -> parse("snapshots:\n  period: 1s\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("h.yaml:").hasMessageContaining("snapshots needs keeper");
        assertThatThrownBy(() -> parse("snapshots:\n  dir: kept\n  keep: 0\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("h.yaml:").hasMessageContaining("keep at least 1");
        assertThatThrownBy(() -> parse("snapshots:\n  keeper: nowhere\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("h.yaml:").hasMessageContaining("keeper");
        assertThatThrownBy(() -> parse("snapshots:\n  keeper: 127.0.0.2:7600\n  every: 1s\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("h.yaml:8:");
    }

    @Test
    void replicationHasTheDefaultsAndRefusesAPeriodOrMissesBelowOne() throws Exception {
        assertThat(parse("").replication()).isNull();
        HostConfig.Replication r = parse("replication:\n  misses: 3\n").replication();
        assertThat(r.periodOrDefault()).isEqualTo(Duration.ofMillis(100));
        assertThat(r.missesOrDefault()).isEqualTo(3);
        assertThat(parse("replication:\n  period: 20ms\n").replication().missesOrDefault()).isEqualTo(10);
        assertThatThrownBy(() -> parse("replication:\n  period: 0ms\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("h.yaml:").hasMessageContaining("period must be at least 1ms");
        assertThatThrownBy(() -> parse("replication:\n  misses: 0\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("h.yaml:").hasMessageContaining("misses must be at least 1");
    }

    @Test
    void anArrivalAddressIsAHostAndPort() throws Exception {
        assertThat(parse("").arrive()).as("absent: the server keeps its address").isNull();
        assertThat(parse("arrive: 127.0.0.2:5070\n").arrive()).isEqualTo("127.0.0.2:5070");
        assertThatThrownBy(() -> parse("arrive: 127.0.0.2\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("h.yaml:6:").hasMessageContaining("arrive");
    }
}
