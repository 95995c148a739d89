package dev.d2r2.monitor;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ServiceHealthTest {
    @Test
    void theSeedsMetricsOverTheWindow() {
        ServiceHealth h = new ServiceHealth(List.of());
        for (long t = 0; t < 100_000; t += 10_000) {
            boolean crit = t == 60_000;
            if (t == 0) h.alarm("sip.code", "ok", 0);
            if (t == 60_000) h.alarm("sip.code", "critical", 60_000);
            if (t == 70_000) h.alarm("sip.code", "ok", 70_000);
            h.run(true, crit, t);
        }
        Map<String, Double> m = h.assess(100_000, 100_000);
        assertThat(m.get("availability")).isCloseTo(0.9, within(1e-9));
        assertThat(m.get("sfr_per_hour")).isCloseTo(36.0, within(1e-9));
        assertThat(m.get("mtbf_s")).isCloseTo(90.0, within(1e-9));
        assertThat(m.get("mttr_s")).isCloseTo(10.0, within(1e-9));
        assertThat(m.get("rrr")).isCloseTo(0.9, within(1e-9));
        // A later window that starts inside the up period sees no failure.
        Map<String, Double> late = h.assess(100_000, 20_000);
        assertThat(late.get("availability")).isEqualTo(1.0);
        assertThat(late).doesNotContainKey("mtbf_s");
    }

    @Test
    void withoutAlarmsAFailedProbeRunIsDowntime() {
        ServiceHealth h = new ServiceHealth(List.of());
        h.run(true, false, 0);
        h.run(false, false, 30_000);
        h.run(true, false, 40_000);
        assertThat(h.assess(40_000, 60_000).get("availability")).isCloseTo(0.75, within(1e-9));
    }

    @Test
    void derivedMetrics() {
        ServiceHealth h = new ServiceHealth(List.of(new DerivedMetric("smooth", "tcp.connect_ms", 0.5, null, null),
                new DerivedMetric("pps", null, null, "snmp.in_pkts", null),
                new DerivedMetric("errors", null, null, null, List.of("http.errors", "http.requests"))));
        h.run(true, false, 0);
        h.sample("tcp.connect_ms", 10, 0);
        h.sample("tcp.connect_ms", 20, 1000);
        h.sample("snmp.in_pkts", 100, 0);
        h.sample("snmp.in_pkts", 400, 2000);
        h.sample("http.requests", 50, 0);
        h.sample("http.errors", 5, 0);
        assertThat(h.assess(2000, 60_000)).containsEntry("smooth", 15.0).containsEntry("pps", 150.0).containsEntry("errors", 0.1);
    }
}
