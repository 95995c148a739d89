package dev.d2r2.app.node;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.core.Clock;
import dev.d2r2.core.HostPort;
import dev.d2r2.sip.edge.Affinity;
import dev.d2r2.sip.edge.Backend;
import dev.d2r2.sip.edge.BackendEvent;
import dev.d2r2.sip.edge.EdgeApi;
import dev.d2r2.sip.edge.EdgeProxy;
import dev.d2r2.sip.edge.EdgeRole;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** The SIP edge of an {@link EdgeConfig}: the proxy, its broker role, HTTP API and Prometheus endpoint. */
public final class EdgeService implements AutoCloseable {
    private final EdgeProxy edge;
    private final EdgeRole role;
    private final EdgeApi api;
    private final HTTPServer metrics;

    /** @param broker null when the configuration names no telemetry channel */
    public EdgeService(EdgeConfig c, BrokerClient broker, Consumer<BackendEvent> changes) throws IOException {
        List<Backend> backends = c.backends().stream()
                .map(b -> new Backend(socket(b.address()), b.weight(), b.maxDialogs())).toList();
        AtomicReference<EdgeRole> published = new AtomicReference<>();
        this.edge = new EdgeProxy(socket(c.listen()), backends, c.probeInterval(), c.probeTimeout(), c.probe(), e -> {
            changes.accept(e);
            EdgeRole r = published.get();
            if (r != null) {
                r.changed(e);
            }
        }, Clock.system(), c.receivers());
        try {
            edge.affinity(Affinity.parse(c.affinity()));
            edge.dialogTimeout(c.dialogTimeout());
            edge.tcpLimits(c.tcp().toLimits());
            if (c.suspectRate() != null) {
                edge.suspectRate(c.suspectRate());
            }
            this.role = c.telemetry() == null ? null : new EdgeRole(broker, edge, c.telemetry(), c.commands());
            published.set(role);
            if (c.metrics() != null) {
                PrometheusRegistry registry = new PrometheusRegistry();
                edge.registerMetrics(registry);
                InetSocketAddress at = socket(c.metrics());
                this.metrics = HTTPServer.builder().hostname(at.getHostString()).port(at.getPort()).registry(registry).buildAndStart();
            } else {
                this.metrics = null;
            }
            this.api = c.api() == null ? null : new EdgeApi(socket(c.api()), edge);
        } catch (IOException | RuntimeException e) {
            edge.close();
            throw e;
        }
    }

    public EdgeProxy edge() {
        return edge;
    }

    /** The HTTP API's address, or null. */
    public InetSocketAddress api() {
        return api == null ? null : api.address();
    }

    /** The Prometheus endpoint's port, or -1. */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.getPort();
    }

    public String describe() throws IOException {
        InetSocketAddress at = edge.address();
        return "edge on " + at.getHostString() + ":" + at.getPort() + " (UDP and TCP), backends " + edge.backends()
                + (api == null ? "" : "; API on http://" + api.address().getHostString() + ":" + api.address().getPort());
    }

    static InetSocketAddress socket(String text) {
        InetSocketAddress a = HostPort.parse(text);
        if (a.isUnresolved()) {
            throw new IllegalArgumentException(text + ": unknown host");
        }
        return a;
    }

    @Override
    public void close() throws IOException {
        if (api != null) {
            api.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (role != null) {
            role.close();
        }
        edge.close();
    }
}
