package dev.d2r2.bridge.kafka;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a bridge has done, readable from any thread (the bridge's own thread writes it), and its
 * Prometheus metrics {@code d2r2_bridge_*} labelled with direction, channel and topic.
 */
public final class BridgeStats {
    final AtomicLong bridged = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong missing = new AtomicLong();
    final AtomicLong lag = new AtomicLong();
    final AtomicLong commits = new AtomicLong();

    /** Events carried across: acknowledged by the other side. */
    public long bridged() {
        return bridged.get();
    }

    /** Records or events that were not valid events: counted, logged with their position, skipped. */
    public long malformed() {
        return malformed.get();
    }

    /** Failures of the other side (a send or commit that failed, a rewind). */
    public long errors() {
        return errors.get();
    }

    /** Events the bridge never saw: dropped for it by the d2r2 broker, or gone from the log before it resumed. */
    public long missing() {
        return missing.get();
    }

    /** Taken from the source and not yet acknowledged by the destination ({@code out}), or the consumer's lag ({@code in}). */
    public long lag() {
        return lag.get();
    }

    /** Times the acknowledged position was stored (offset file or Kafka commit). */
    public long commits() {
        return commits.get();
    }

    /** Registers this bridge's metrics. */
    public void register(PrometheusRegistry registry, String direction, String channel, String topic) {
        String[] labels = {"direction", "channel", "topic"};
        counter(registry, "d2r2_bridge_events", "Events bridged and acknowledged by the other side", labels, bridged, direction, channel, topic);
        counter(registry, "d2r2_bridge_malformed", "Records that were not valid events, skipped", labels, malformed, direction, channel, topic);
        counter(registry, "d2r2_bridge_errors", "Failed sends or commits on the other side", labels, errors, direction, channel, topic);
        counter(registry, "d2r2_bridge_missing", "Events dropped before the bridge saw them", labels, missing, direction, channel, topic);
        GaugeWithCallback.builder().name("d2r2_bridge_lag").help("Events taken and not yet acknowledged (out), consumer lag (in)")
                .labelNames(labels).callback(cb -> cb.call(lag.get(), direction, channel, topic)).register(registry);
    }

    private static void counter(PrometheusRegistry r, String name, String help, String[] labels, AtomicLong value,
                                String... labelValues) {
        CounterWithCallback.builder().name(name).help(help).labelNames(labels)
                .callback(cb -> cb.call(value.get(), labelValues)).register(r);
    }

    @Override
    public String toString() {
        return "bridged=" + bridged + " malformed=" + malformed + " errors=" + errors + " missing=" + missing + " lag=" + lag;
    }
}
