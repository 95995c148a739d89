package dev.d2r2.broker.server;

import dev.d2r2.broker.log.LogDamage;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Collection;
import java.util.function.Supplier;

/** The broker's Prometheus metrics, named {@code d2r2_broker_*}. */
final class BrokerMetrics {
    private final Counter published;
    private final Counter delivered;
    private final Counter dropped;
    private final Counter duplicates;
    private final Counter refused;
    private final Counter malformed;
    private final Counter internal;
    private final Counter logDamage;
    private final Counter lostOffsets;
    private final Counter timeouts;
    private final Counter logFailures;
    private final Counter caughtUp;
    private final Counter forwardedGap;
    private final Counter catchUpFailures;
    private final Counter repaired;
    private final Counter tlsFailures;
    private final Counter revokedSessions;
    private final Counter deletedSubscriptions;
    private final Gauge connections;
    private final Gauge pendingHandshakes;
    private final Gauge frameMemory;

    BrokerMetrics(PrometheusRegistry registry, Supplier<Collection<ChannelRuntime>> channels) {
        published = Counter.builder().name("d2r2_broker_published")
                .help("Events accepted on a channel").labelNames("channel").register(registry);
        delivered = Counter.builder().name("d2r2_broker_delivered")
                .help("Events handed to subscribers (live and replayed)").labelNames("channel").register(registry);
        dropped = Counter.builder().name("d2r2_broker_dropped")
                .help("Events dropped for slow subscribers (drop-oldest, disconnect)").labelNames("channel")
                .register(registry);
        duplicates = Counter.builder().name("d2r2_broker_duplicates")
                .help("Events sent again (same publisher, sequence and envelope): acknowledged, not stored twice")
                .labelNames("channel").register(registry);
        refused = Counter.builder().name("d2r2_broker_refusals")
                .help("Requests refused, by reason").labelNames("reason").register(registry);
        malformed = Counter.builder().name("d2r2_broker_malformed_frames")
                .help("Connections closed for frames that break the wire format").register(registry);
        internal = Counter.builder().name("d2r2_broker_internal_errors")
                .help("Internal failures (their detail is logged; clients get only the code)").register(registry);
        logDamage = Counter.builder().name("d2r2_broker_log_damage")
                .help("Torn tails and damaged ranges recovery cut from channel logs").labelNames("channel", "kind")
                .register(registry);
        lostOffsets = Counter.builder().name("d2r2_broker_log_lost_offsets")
                .help("Offsets lost to damaged log ranges (the records around them were kept)").labelNames("channel")
                .register(registry);
        logFailures = Counter.builder().name("d2r2_broker_log_failures")
                .help("Times a channel's log went from working to failing a write or fsync (a full disk, say)")
                .labelNames("channel").register(registry);
        caughtUp = Counter.builder().name("d2r2_broker_caught_up")
                .help("Events of forwarded channels a replica took from the other replicas' logs on catching up")
                .labelNames("channel").register(registry);
        forwardedGap = Counter.builder().name("d2r2_broker_forwarded_gap")
                .help("Events of forwarded channels catch-up could not find in the other replicas' logs "
                        + "(broker.forwarded.gap)")
                .labelNames("channel").register(registry);
        catchUpFailures = Counter.builder().name("d2r2_broker_catch_up_failures")
                .help("Catch-ups of a forwarded channel from one other replica that failed (unreachable, too slow)")
                .labelNames("channel").register(registry);
        repaired = Counter.builder().name("d2r2_broker_forwarded_repaired")
                .help("Events of forwarded channels a running replica saw skipped and took from the other replicas' logs")
                .labelNames("channel").register(registry);
        tlsFailures = Counter.builder().name("d2r2_broker_tls_handshake_failures")
                .help("Connections whose TLS handshake failed, by reason: not_tls, protocol_version, no_common_cipher, "
                        + "certificate, closed, other")
                .labelNames("reason").register(registry);
        timeouts = Counter.builder().name("d2r2_broker_timeouts")
                .help("Connections closed for a limit of time: handshake, frame (body too slow), idle")
                .labelNames("kind").register(registry);
        revokedSessions = Counter.builder().name("d2r2_broker_revoked_sessions")
                .help("Client sessions closed because an administrator revoked their identity").register(registry);
        deletedSubscriptions = Counter.builder().name("d2r2_broker_deleted_subscriptions")
                .help("Subscriptions ended because an administrator deleted their channel").register(registry);
        connections = Gauge.builder().name("d2r2_broker_connections")
                .help("Open client connections, authenticated or not").register(registry);
        pendingHandshakes = Gauge.builder().name("d2r2_broker_pending_handshakes")
                .help("Connections not yet authenticated").register(registry);
        frameMemory = Gauge.builder().name("d2r2_broker_frame_memory_bytes")
                .help("Bytes reserved for large frames whose bodies are still arriving").register(registry);
        GaugeWithCallback.builder().name("d2r2_broker_queue_depth")
                .help("Events waiting in subscriber queues").labelNames("channel")
                .callback(cb -> channels.get().forEach(c -> cb.call(c.queuedEvents(), c.tag())))
                .register(registry);
        GaugeWithCallback.builder().name("d2r2_broker_subscribers")
                .help("Live subscriptions").labelNames("channel")
                .callback(cb -> channels.get().forEach(c -> cb.call(c.subscriberCount(), c.tag())))
                .register(registry);
    }

    CounterDataPoint published(String channel) {
        return published.labelValues(channel);
    }

    CounterDataPoint delivered(String channel) {
        return delivered.labelValues(channel);
    }

    CounterDataPoint dropped(String channel) {
        return dropped.labelValues(channel);
    }

    CounterDataPoint duplicates(String channel) {
        return duplicates.labelValues(channel);
    }

    void refused(String reason) {
        refused.labelValues(reason).inc();
    }

    double refusals(String reason) {
        return refused.labelValues(reason).get();
    }

    void revokedSession() {
        revokedSessions.inc();
    }

    double revokedSessions() {
        return revokedSessions.get();
    }

    void deletedSubscription() {
        deletedSubscriptions.inc();
    }

    double deletedSubscriptions() {
        return deletedSubscriptions.get();
    }

    void malformedFrame() {
        malformed.inc();
    }

    void internalError() {
        internal.inc();
    }

    double internalErrors() {
        return internal.get();
    }

    void logDamage(String channel, LogDamage d) {
        logDamage.labelValues(channel, d.kind().name().toLowerCase().replace('_', '-')).inc();
        lostOffsets.labelValues(channel).inc(d.lostOffsets());
    }

    double lostOffsets(String channel) {
        return lostOffsets.labelValues(channel).get();
    }

    CounterDataPoint logFailures(String channel) {
        return logFailures.labelValues(channel);
    }

    CounterDataPoint caughtUp(String channel) {
        return caughtUp.labelValues(channel);
    }

    CounterDataPoint forwardedGap(String channel) {
        return forwardedGap.labelValues(channel);
    }

    CounterDataPoint catchUpFailures(String channel) {
        return catchUpFailures.labelValues(channel);
    }

    CounterDataPoint repaired(String channel) {
        return repaired.labelValues(channel);
    }

    void tlsHandshakeFailed(String reason) {
        tlsFailures.labelValues(reason).inc();
    }

    double tlsHandshakeFailures(String reason) {
        return tlsFailures.labelValues(reason).get();
    }

    void timedOut(String kind) {
        timeouts.labelValues(kind).inc();
    }

    double timeouts(String kind) {
        return timeouts.labelValues(kind).get();
    }

    Gauge connections() {
        return connections;
    }

    Gauge pendingHandshakes() {
        return pendingHandshakes;
    }

    Gauge frameMemory() {
        return frameMemory;
    }

    double malformedFrames() {
        return malformed.get();
    }
}
