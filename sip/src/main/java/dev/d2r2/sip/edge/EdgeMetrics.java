package dev.d2r2.sip.edge;

import dev.d2r2.sip.events.EdgeTraffic;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.management.ManagementFactory;
import java.util.function.ToDoubleFunction;

/**
 * The edge's Prometheus metrics, named {@code d2r2_edge_*}: messages by what became of them, the
 * time to handle one, per backend its dialogs, health and weight, clients' TCP connections and
 * their buffers, datagrams the kernel dropped at its full UDP sockets, the process's memory, and
 * the last telemetry window's rates and suspect sources (what a monitor's thresholds watch for
 * floods).
 */
final class EdgeMetrics {
    private final Histogram handling;

    EdgeMetrics(PrometheusRegistry registry, EdgeProxy edge) {
        CounterWithCallback.builder().name("d2r2_edge_messages")
                .help("Messages by outcome: received, forwarded.request|response, answered.<status>, dropped.<reason>, ...")
                .labelNames("outcome")
                .callback(cb -> edge.counters().forEach((k, v) -> cb.call(v, k)))
                .register(registry);
        CounterWithCallback.builder().name("d2r2_edge_udp_receive_drops")
                .help("Datagrams the kernel dropped at the edge's UDP sockets, their receive buffers full (absent off Linux)")
                .callback(cb -> {
                    long drops = edge.udpReceiveDrops();
                    if (drops >= 0) {
                        cb.call(drops);
                    }
                })
                .register(registry);
        GaugeWithCallback.builder().name("d2r2_edge_dialogs").help("Active dialogs per backend").labelNames("backend")
                .callback(cb -> edge.backends().forEach(b -> cb.call(b.activeDialogs(), b.id())))
                .register(registry);
        GaugeWithCallback.builder().name("d2r2_edge_backend_up").help("1 when the backend is in rotation").labelNames("backend")
                .callback(cb -> edge.backends().forEach(b -> cb.call(b.up() && !b.draining() ? 1 : 0, b.id())))
                .register(registry);
        GaugeWithCallback.builder().name("d2r2_edge_backend_weight").help("The backend's capacity weight").labelNames("backend")
                .callback(cb -> edge.backends().forEach(b -> cb.call(b.weight(), b.id())))
                .register(registry);
        GaugeWithCallback.builder().name("d2r2_edge_tcp_connections").help("Clients' TCP connections open")
                .callback(cb -> cb.call(edge.tcpConnections()))
                .register(registry);
        GaugeWithCallback.builder().name("d2r2_edge_tcp_read_buffer_bytes").help("Bytes held by the open TCP connections' read buffers")
                .callback(cb -> cb.call(edge.tcpReadBufferBytes()))
                .register(registry);
        GaugeWithCallback.builder().name("d2r2_edge_resident_bytes").help("The edge process's resident memory (VmRSS; absent off Linux)")
                .callback(cb -> {
                    long rss = ProcessMemory.residentBytes();
                    if (rss >= 0) {
                        cb.call(rss);
                    }
                })
                .register(registry);
        GaugeWithCallback.builder().name("d2r2_edge_heap_used_bytes").help("The edge JVM's heap in use")
                .callback(cb -> cb.call(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()))
                .register(registry);
        rate(registry, edge, "d2r2_edge_ingress_rate", EdgeTraffic::in, "Requests in per second over the last telemetry window");
        rate(registry, edge, "d2r2_edge_invite_rate", t -> t.in("INVITE"), "INVITEs in per second over the last telemetry window");
        rate(registry, edge, "d2r2_edge_egress_rate", EdgeTraffic::out, "Responses out per second over the last telemetry window");
        rate(registry, edge, "d2r2_edge_suspect_sources", t -> t.suspects(), "Sources sending INVITEs faster than the suspect rate");
        handling = Histogram.builder().name("d2r2_edge_handling_seconds")
                .help("Time from a datagram's arrival to its forwarding, answer or drop")
                .classicExponentialUpperBounds(0.000_005, 2, 16).register(registry);
    }

    /** A gauge of the last telemetry window's {@code value}; absent while the telemetry does not run. */
    private static void rate(PrometheusRegistry registry, EdgeProxy edge, String name, ToDoubleFunction<EdgeTraffic> value,
                             String help) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(cb -> {
                    EdgeTraffic t = edge.lastWindow();
                    if (t != null) {
                        cb.call(value.applyAsDouble(t));
                    }
                })
                .register(registry);
    }

    void handled(long nanos) {
        handling.observe(nanos / 1e9);
    }
}
