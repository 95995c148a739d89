package dev.d2r2.bridge.kafka;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class BridgeStatsTest {
    @Test
    void metricsReadTheCountersLabelledWithDirectionChannelAndTopic() {
        BridgeStats stats = new BridgeStats();
        PrometheusRegistry registry = new PrometheusRegistry();
        stats.register(registry, "out", "alarms", "d2r2-alarms");
        stats.bridged.addAndGet(7);
        stats.malformed.incrementAndGet();
        stats.lag.set(3);
        Map<String, MetricSnapshot> m = registry.scrape().stream()
                .collect(Collectors.toMap(s -> s.getMetadata().getName(), s -> s));
        assertThat(m).containsKeys("d2r2_bridge_events", "d2r2_bridge_malformed", "d2r2_bridge_errors", "d2r2_bridge_missing",
                "d2r2_bridge_lag");
        CounterSnapshot.CounterDataPointSnapshot events = ((CounterSnapshot) m.get("d2r2_bridge_events")).getDataPoints().getFirst();
        assertThat(events.getValue()).isEqualTo(7);
        assertThat(events.getLabels().get("direction")).isEqualTo("out");
        assertThat(events.getLabels().get("channel")).isEqualTo("alarms");
        assertThat(events.getLabels().get("topic")).isEqualTo("d2r2-alarms");
        assertThat(((CounterSnapshot) m.get("d2r2_bridge_malformed")).getDataPoints().getFirst().getValue()).isEqualTo(1);
        assertThat(((GaugeSnapshot) m.get("d2r2_bridge_lag")).getDataPoints().getFirst().getValue()).isEqualTo(3);
    }
}
