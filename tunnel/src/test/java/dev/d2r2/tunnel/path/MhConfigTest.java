package dev.d2r2.tunnel.path;

import dev.d2r2.core.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MhConfigTest {
    private static final String GOOD = """
            name: a
            peer: b
            tunnel: 7
            identity: a.identity
            peer-public-key: 5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c
            paths:
              - {name: p1, local: 10.2.1.1:4790, remote: 10.2.1.2:4790}
              - {name: p2, local: 10.2.2.1:4790, remote: 10.2.2.2:4790, penalty: 20}
            app: {listen: 127.0.0.1:7100}
            """;

    @Test
    void defaults(@TempDir Path dir) throws Exception {
        MhConfig c = MhNode.load(write(dir, GOOD));
        assertThat(c.selectorMode()).isEqualTo(PathSelector.Mode.PRIMARY_BACKUP);
        assertThat(c.probe().every()).isEqualTo(Duration.ofMillis(10));
        assertThat(c.probe().downAfter()).isEqualTo(Duration.ofMillis(60));
        assertThat(c.hysteresis().hold()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.weights().score()).isEqualTo(ScoreWeights.DEFAULTS);
        assertThat(c.paths().get(1).penaltyOrZero()).isEqualTo(20);
    }

    @Test
    void badValuesAreReportedWhereTheyAre(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> MhNode.load(write(dir, GOOD + "mode: sometimes\n"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("mh.yaml:10:").hasMessageContaining("primary-backup or concurrent");
        assertThatThrownBy(() -> MhNode.load(write(dir, GOOD.replace("10.2.2.2:4790", "nowhere")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("mh.yaml:8:");
        assertThatThrownBy(() -> MhNode.load(write(dir, GOOD.replace("name: p2", "name: p1")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("used twice");
        assertThatThrownBy(() -> MhNode.load(write(dir, GOOD + "hysteresis: {margin: -1}\n"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("mh.yaml:10:");
        assertThatThrownBy(() -> MhNode.load(write(dir, GOOD + "colour: blue\n"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("mh.yaml:10:1");
        assertThatThrownBy(() -> MhNode.load(write(dir, GOOD.replace("5c5c5c5c", "5c5c")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("mh.yaml:5:").hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> MhNode.load(write(dir, GOOD.replace("identity: a.identity\n", "")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity");
    }

    private static Path write(Path dir, String text) throws Exception {
        return Files.writeString(dir.resolve("mh.yaml"), text);
    }
}
