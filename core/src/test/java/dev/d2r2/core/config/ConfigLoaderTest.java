package dev.d2r2.core.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    record Probe(String name, Duration interval, int retries) {
        Probe {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative");
            }
        }
    }

    record Config(String listen, List<Probe> probes) {
    }

    @Test
    void loadsRecordsWithDurations() throws Exception {
        Config c = ConfigLoader.parse("d2r2.yaml", """
                listen: 127.0.0.1:7100
                probes:
                  - name: a
                    interval: 500ms
                    retries: 2
                """, Config.class);
        assertThat(c.probes().getFirst().interval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void unknownKeysAreErrorsWithFileLineAndKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("d2r2.yaml", """
                listen: x
                probes:
                  - name: a
                    intervall: 5s
                """, Config.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("d2r2.yaml:4:")
                .hasMessageContaining("probes[0].intervall")
                .hasMessageContaining("unknown key \"intervall\"");
    }

    @Test
    void validationErrorsNameTheRecordsLocation() {
        assertThatThrownBy(() -> ConfigLoader.parse("d2r2.yaml", """
                probes:
                  - name: a
                    retries: -1
                """, Config.class))
                .hasMessageStartingWith("d2r2.yaml:")
                .hasMessageContaining("retries must not be negative");
        assertThatThrownBy(() -> ConfigLoader.parse("d2r2.yaml", """
                probes:
                  - interval: soon
                """, Config.class))
                .hasMessageStartingWith("d2r2.yaml:2:").hasMessageContaining("not a duration: \"soon\"");
        assertThatThrownBy(() -> ConfigLoader.parse("d2r2.yaml", "probes: [\n", Config.class))
                .hasMessageStartingWith("d2r2.yaml:");
        assertThatThrownBy(() -> ConfigLoader.parse("d2r2.yaml", "", Config.class))
                .hasMessageContaining("empty configuration");
    }
}
