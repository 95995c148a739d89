package dev.d2r2.app.node;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.core.Clock;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.actuator.http.BearerToken;
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
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** The SIP edge of an {@link EdgeConfig}: the proxy, its broker role, HTTP API and Prometheus endpoint. */
public final class EdgeService implements AutoCloseable {
    private final EdgeProxy edge;
    private final EdgeRole role;
    private final EdgeApi api;
    private final String apiTokenFile;
    private final HTTPServer metrics;

    /** @param broker null when the configuration names no telemetry channel */
    public EdgeService(EdgeConfig c, BrokerClient broker, Consumer<BackendEvent> changes) throws IOException {
        this(c, List.of(), broker, changes);
    }

    /**
     * @param policyAllow a policy's {@code safety.allow}, which the API refuses to block or limit
     *                    besides its own {@code allow} (see {@link ApiConfig#limits})
     * @param broker      null when the configuration names no telemetry channel
     */
    public EdgeService(EdgeConfig c, List<String> policyAllow, BrokerClient broker, Consumer<BackendEvent> changes) throws IOException {
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
        EdgeApi startedApi = null;
        try {
            edge.affinity(Affinity.parse(c.affinity()));
            edge.dialogTimeout(c.dialogTimeout());
            edge.tcpLimits(c.tcp().toLimits());
            if (c.suspectRate() != null) {
                edge.suspectRate(c.suspectRate());
            }
            this.role = c.telemetry() == null ? null : new EdgeRole(broker, edge, c.telemetry(), c.commands(),
                    java.util.Set.copyOf(c.movers()));
            published.set(role);
            // Without an endpoint nothing is registered: the edge then times no message.
            PrometheusRegistry registry = c.metrics() == null ? null : new PrometheusRegistry();
            if (registry != null) {
                edge.registerMetrics(registry);
            }
            startedApi = c.api() == null ? null : api(c.api(), policyAllow, registry);
            this.apiTokenFile = c.api() == null ? null : c.api().tokenFile();
            this.api = startedApi;
            if (c.metrics() != null) {
                InetSocketAddress at = socket(c.metrics());
                this.metrics = HTTPServer.builder().hostname(at.getHostString()).port(at.getPort()).registry(registry).buildAndStart();
            } else {
                this.metrics = null;
            }
        } catch (IOException | RuntimeException e) {
            if (startedApi != null) {
                startedApi.close();
            }
            edge.close();
            throw e;
        }
    }

    /**
     * The API, with its token (created when its file is missing); one beyond loopback must have a
     * token. {@code registry} null: no metrics.
     */
    private EdgeApi api(ApiConfig a, List<String> policyAllow, PrometheusRegistry registry) throws IOException {
        InetSocketAddress at = socket(a.listen());
        if (a.tokenFile() == null && !at.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the edge's API on " + a.listen() + " is reachable beyond this machine: give it a token-file");
        }
        BearerToken token = a.tokenFile() == null ? null : BearerToken.loadOrCreate(Path.of(a.tokenFile()));
        EdgeApi created = new EdgeApi(at, edge, token, a.limits(policyAllow));
        if (registry != null) {
            created.registerMetrics(registry);
        }
        return created;
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
                + (api == null ? "" : "; API on http://" + api.address().getHostString() + ":" + api.address().getPort()
                + (apiTokenFile == null ? " (takes no changes: no token-file)" : " (changes need the token in " + apiTokenFile + ")"));
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
