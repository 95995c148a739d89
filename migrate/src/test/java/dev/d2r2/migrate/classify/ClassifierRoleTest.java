package dev.d2r2.migrate.classify;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.migrate.events.HostAtRisk;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ClassifierRoleTest {
    private static final String YAML = """
            host: h1
            spare: 10.97.24.2:7600
            service: { probe: sip, value: rtt_ms, source: h1-sip }
            host-check: { probe: icmp, source: h1 }
            network-check: { probe: icmp, source: h1-gw }
            warnings:
              - { type: disk.reallocated, source: h1 }
            deadline: 200ms
            window: 5
            crash-after: 3
            omission-at: 2
            late-at: 2
            """;

    private static Event rtt(long t, String source, Object value) {
        return Event.message(source.equals("h1-sip") ? "sip.rtt_ms" : "icmp.rtt_ms", t, source, Map.of("value", value));
    }

    private static Event error(long t, String source) {
        return Event.message(source.equals("h1-sip") ? "sip.error" : "icmp.error", t, source, Map.of("error", "timed out"));
    }

    @Test
    void monitorEventsBecomeOneAtRiskEventPerChangeOfVerdict() throws Exception {
        ClassifierConfig config = ConfigLoader.parse("classify.yaml", YAML, ClassifierConfig.class);
        List<HostAtRisk> out = new CopyOnWriteArrayList<>();
        ClassifierRole role = new ClassifierRole(config, out::add);
        try (AgentRunner runner = new AgentRunner(role, 64, Clock.system()).start()) {
            runner.submit(rtt(1, "h1-sip", 12.0));
            runner.submit(rtt(2, "h1-other", 900.0));
            runner.submit(Event.state("disk.reallocated", 3, "h1", "ok", "warning", Map.of("value", 8)));
            runner.submit(rtt(4, "h1-sip", 15.0));
            runner.submit(Event.state("disk.reallocated", 5, "h1", "warning", "ok", Map.of()));
            runner.submit(rtt(6, "h1-sip", "fast"));
            runner.submit(error(7, "h1-sip"));
            runner.submit(error(8, "h1-sip"));
            runner.submit(error(9, "h1-sip"));
            runner.submit(error(10, "h1"));
            runner.submit(error(11, "h1-gw"));
            runner.submit(Event.message("sip.rtt_ms", 12, null, Map.of("value", 1)));
            await().atMost(Duration.ofSeconds(10)).until(() -> out.size() == 5);
        }
        assertThat(out).extracting(HostAtRisk::time, HostAtRisk::failureClass, HostAtRisk::location, HostAtRisk::predictable)
                .containsExactly(
                        tuple(3L, "crash", "host", true),
                        tuple(8L, "omission", "vm", true),
                        tuple(9L, "crash", "vm", false),
                        tuple(10L, "crash", "host", false),
                        tuple(11L, "crash", "network", false));
        assertThat(out).allSatisfy(a -> {
            assertThat(a.host()).isEqualTo("h1");
            assertThat(a.spare()).isEqualTo("10.97.24.2:7600");
        });
        assertThat(out.getFirst().evidence()).contains("disk.reallocated");
        assertThat(HostAtRisk.from(out.getLast().toEvent())).isEqualTo(out.getLast());
        assertThat(role.malformed()).isEqualTo(1);
        assertThat(role.published()).isEqualTo(5);
    }

    @Test
    void mistakesAreReportedAtTheirLine() {
        assertThatThrownBy(() -> ConfigLoader.parse("c.yaml", YAML.replace("late-at: 2", "late-at: 9"), ClassifierConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("c.yaml:12").hasMessageContaining("late-at must be 1 to window");
        assertThatThrownBy(() -> ConfigLoader.parse("c.yaml", YAML.replace("value: rtt_ms, ", ""), ClassifierConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("service.value").hasMessageContaining("round-trip time");
        assertThatThrownBy(() -> ConfigLoader.parse("c.yaml", YAML.replace("spare: 10.97.24.2:7600", "spare: nowhere"),
                ClassifierConfig.class)).isInstanceOf(ConfigException.class).hasMessageContaining("c.yaml:2");
    }
}
