package dev.d2r2.scale;

import dev.d2r2.core.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScaleConfigTest {
    private static final String GOOD = """
            clouds:
              home: { subnet: 10.81.1.0/24 }
            types:
              sip:
                template: { command: [d2r2, sip-server, --listen, "${address}:${port}"], port: 5060, cpu: 0.5 }
                cloud: home
                min: 1
                max: 4
                metrics:
                  calls_per_s: { warning: 100, critical: 140, warning-for: 2s, critical-for: 500ms }
                target: { metric: calls_per_s, per-instance: 80 }
                scale-down: { below: 20, for: 10s }
            """;

    @Test
    void theExampleLoads() throws Exception {
        ScaleConfig c = ScaleConfig.load(Path.of("../examples/scale/sip.yaml"));
        InstanceType sip = c.type("sip");
        assertThat(sip.min()).isEqualTo(1);
        assertThat(sip.max()).isEqualTo(6);
        assertThat(sip.largestStep()).isEqualTo(5);
        assertThat(sip.cooldown().in()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.clouds()).containsKeys("home", "remote");
        assertThat(sip.template().command("10.81.1.2", "sip-1", "home", null)).containsSubsequence("10.81.1.2:5060", "sip-1");
    }

    @Test
    void defaults() throws Exception {
        InstanceType sip = ScaleConfig.parse("t.yaml", GOOD).type("sip");
        assertThat(sip.scaleDown().metric()).isEqualTo(ScaleDown.ACTIVE_CALLS);
        assertThat(sip.cooldown()).isEqualTo(Cooldown.DEFAULT);
        assertThat(sip.largestStep()).as("max - min").isEqualTo(3);
        assertThat(sip.drainDeadline()).isEqualTo(InstanceType.DEFAULT_DRAIN_DEADLINE);
    }

    private static void refused(String text, String expected) {
        assertThatThrownBy(() -> ScaleConfig.parse("t.yaml", text)).isInstanceOf(ConfigException.class).hasMessage(expected);
    }

    @Test
    void mistakesAreReportedAtTheirKey() {
        refused(GOOD.replace("    min: 1", "    min: 1\n    minimum: 1"), "t.yaml:8:5: key types.sip.minimum: unknown key \"minimum\" (known: "
                + "cloud, cooldown, drain-deadline, largest-step, max, metrics, min, require, scale-down, target, template)");
        refused(GOOD.replace("cloud: home", "cloud: mars"), "t.yaml:6:5: key types.sip.cloud: unknown cloud mars (declared: home)");
        refused(GOOD.replace("max: 4", "max: 0"), "t.yaml:8:5: key types.sip.max: max must be at least min (1)");
        refused(GOOD.replace("metric: calls_per_s,", "metric: cpu,"),
                "t.yaml:11:15: key types.sip.target.metric: target metric cpu is not one of metrics (calls_per_s)");
        refused(GOOD.replace("per-instance: 80", "per-instance: 120"),
                "t.yaml:11:36: key types.sip.target.per-instance: per-instance must be below calls_per_s's warning (100.0),"
                        + " or a pool sized for it is overloaded at once");
        refused(GOOD.replace("critical: 140", "critical: 90"),
                "t.yaml:10:36: key types.sip.metrics.calls_per_s.critical: critical must be at least warning (100.0)");
        refused(GOOD.replace("warning-for: 2s", "warning-for: soon"), "t.yaml:10:51: key types.sip.metrics.calls_per_s.warning-for:"
                + " not a duration: \"soon\" (expected e.g. 500ms, 10s, 5m, 2h)");
        refused(GOOD.replace("10.81.1.0/24", "10.81.0.0/16"), "t.yaml:2:11: key clouds.home.subnet: subnet must be an IPv4 /24 (got 10.81.0.0/16)");
        refused(GOOD.replace("${port}", "${host}"),
                "t.yaml:5:55: key types.sip.template.command[3]: unknown placeholder ${host} (known: address, port, name, cloud, identity)");
        refused(GOOD.replace("  sip:", "  SIP-server:"), "t.yaml:4:3: key types.SIP-server: type name SIP-server must be 1-6 lower-case"
                + " letters or digits, starting with a letter (it names namespaces and cgroups)");
        refused(GOOD.replace("10.81.1.0/24 }", "10.81.1.0/24, cost: -1 }"), "t.yaml:2:33: key clouds.home.cost: cost must be a number of at least 0");
        refused(GOOD.replace("10.81.1.0/24 }", "10.81.1.0/24, link: fast }"),
                "t.yaml:2:33: key clouds.home.link: link must be a rate of at least 8kbit, as tc writes it: 100mbit, 1gbit");
        refused(GOOD.replace("    cloud: home", "    cloud: home\n    require: { location: eu }"),
                "t.yaml:7:16: key types.sip.require.location: no cloud is in location eu");
        refused(GOOD.replace("    cloud: home", "    cloud: home\n    require: { features: [tls, gpu] }"),
                "t.yaml:7:27: key types.sip.require.features[0]: no cloud offers feature tls");
        refused(GOOD.replace("10.81.1.0/24 }", "10.81.1.0/24 }\n  eu: { subnet: 10.81.2.0/24, location: eu }")
                        .replace("    cloud: home", "    cloud: home\n    require: { location: eu }"),
                "t.yaml:7:5: key types.sip.cloud: the type's own cloud home does not meet its require");
        refused(GOOD.replace("    scale-down: { below: 20, for: 10s }\n", ""), "t.yaml:12:1: key types.sip.scale-down:"
                + " scale-down is required: { metric: active_calls, below: N, for: D }");
    }
}
