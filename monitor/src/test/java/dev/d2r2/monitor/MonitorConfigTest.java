package dev.d2r2.monitor;

import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MonitorConfigTest {
    private static MonitorConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse("m.yaml", yaml, MonitorConfig.class);
    }

    @Test
    void aSipServiceWithProbesAndThresholds() throws ConfigException {
        MonitorConfig c = parse("""
                services:
                  - name: sip-gw-1
                    probes:
                      - kind: tcp
                        target: 127.0.0.1:5060
                        interval: 1s
                      - kind: nagios
                        command: [/usr/lib/nagios/plugins/check_tcp, -H, 127.0.0.1, -p, "5060"]
                    thresholds:
                      - metric: tcp.connect_ms
                        warning: 50
                        critical: 200
                        clear: 40
                        for: 30s
                      - metric: nagios.check_tcp
                        samples: 2 of 3
                """);
        ServiceConfig s = c.services().getFirst();
        assertThat(s.probes().get(0).timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.probes().get(1).name()).isEqualTo("nagios.check_tcp");
        assertThat(s.thresholds().getFirst().hold()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.alarms()).isEqualTo("alarms");
    }

    @Test
    void errorsNameTheFileLineAndKey() {
        assertThatThrownBy(() -> parse("""
                services:
                  - name: a
                    probes:
                      - kind: tcp
                        target: 127.0.0.1:1
                      - kind: ftp
                        target: x
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("m.yaml:6:")
                .hasMessageContaining("unknown probe kind \"ftp\"");
        assertThatThrownBy(() -> parse("""
                services:
                  - name: a
                    probes:
                      - kind: tcp
                        target: 127.0.0.1:1
                        match: x
                """)).hasMessageContaining("m.yaml:4:").hasMessageContaining("a tcp probe takes no match");
        assertThatThrownBy(() -> parse("""
                services:
                  - name: a
                    probes:
                      - kind: tcp
                        target: 127.0.0.1:1
                    thresholds:
                      - metric: http.status
                        critical: 500
                """)).hasMessageContaining("no probe measures http.status");
        assertThatThrownBy(() -> parse("""
                services:
                  - name: a
                    probes: [{kind: tcp, target: "127.0.0.1:1"}]
                    thresholds:
                      - metric: tcp.connect_ms
                        warning: 50
                        samples: 4 of 3
                """)).hasMessageContaining("m.yaml:5:").hasMessageContaining("k of n");
    }
}
