package dev.d2r2.monitor;

import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.monitor.events.AlarmEvent;
import dev.d2r2.monitor.events.ProbeError;
import dev.d2r2.monitor.events.Sample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThresholdsTest {
    private static Thresholds thresholds() throws ConfigException {
        return new Thresholds(ConfigLoader.parse("m.yaml", """
                services:
                  - name: gw
                    probes:
                      - { kind: tcp, target: "127.0.0.1:5060", interval: 1s }
                      - { kind: nagios, command: [/bin/true] }
                    thresholds:
                      - { metric: tcp.connect_ms, warning: 50, critical: 200, samples: 2 of 3 }
                      - { metric: nagios.true }
                """, MonitorConfig.class), "mon-a");
    }

    private static List<String> feed(Thresholds t, dev.d2r2.core.Event... events) throws EventFormatException {
        List<String> out = new ArrayList<>();
        for (var e : events) {
            t.accept(e, a -> out.add(a.metric() + " " + a.from() + "->" + a.to() + "@" + a.time() + " " + a.peer()));
        }
        return out;
    }

    @Test
    void samplesGoThroughTheSameAlarmsAsTheLiveMonitor() throws Exception {
        Thresholds t = thresholds();
        assertThat(feed(t, new Sample("tcp.connect_ms", 1000, "gw", 10, "mon-a").toEvent(),
                new Sample("tcp.connect_ms", 2000, "gw", 10, "mon-a").toEvent(),
                new Sample("tcp.connect_ms", 3000, "gw", 300, "mon-a").toEvent(),
                new Sample("tcp.connect_ms", 4000, "gw", 300, "mon-a").toEvent(),
                new Sample("tcp.rtt_ms", 4000, "gw", 300, "mon-a").toEvent(),
                new Sample("tcp.connect_ms", 4000, "other", 300, "mon-a").toEvent()))
                .containsExactly("tcp.connect_ms null->ok@2000 mon-a", "tcp.connect_ms ok->critical@4000 mon-a");
        assertThat(t.watches("gw", "tcp.connect_ms")).isTrue();
        assertThat(t.watches("gw", "tcp.rtt_ms")).isFalse();
    }

    @Test
    void aPluginsOwnStateIsItsCodeAndAProbeErrorMakesItsAlarmsUnknown() throws Exception {
        Thresholds t = thresholds();
        assertThat(feed(t, new Sample("nagios.true", 1000, "gw", 2, null).toEvent(),
                new ProbeError("tcp", 2000, "gw", "refused", null).toEvent()))
                .containsExactly("nagios.true null->critical@1000 mon-a", "tcp.connect_ms null->unknown@2000 mon-a");
        AlarmEvent again = t.reassert("gw", "nagios.true", 5000);
        assertThat(again.reasserted()).isTrue();
        assertThat(again.to()).isEqualTo("critical");
        assertThat(t.reassert("gw", "nope", 5000)).isNull();
    }

    @Test
    void aMalformedSampleIsAClearError() throws Exception {
        Thresholds t = thresholds();
        assertThatThrownBy(() -> t.accept(dev.d2r2.core.Event.message("tcp.connect_ms", 1, "gw", Map.of("value", "x")), a -> { }))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("value");
    }
}
