package dev.d2r2.app.cli;

import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import dev.d2r2.sip.Affinity;
import dev.d2r2.sip.Backend;
import dev.d2r2.sip.EdgeApi;
import dev.d2r2.sip.EdgeRole;
import dev.d2r2.sip.EdgeProxy;
import dev.d2r2.broker.BrokerClient;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code d2r2 lb}: the SIP edge, a load-balancing proxy in front of SIP servers. */
@Command(name = "lb", mixinStandardHelpOptions = true,
        description = "The SIP edge: a stateless proxy (UDP and TCP) that spreads dialogs over the backends by Call-ID, keeps each"
                + " dialog on its backend (carried in the Record-Route), probes the backends with OPTIONS, answers bad"
                + " requests, enforces blocks and rate limits, and publishes its traffic.")
public final class LbCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:5060", description = "Where to listen (${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--backend", paramLabel = "HOST:PORT[,WEIGHT[,MAX_DIALOGS]]", required = true,
            description = "A SIP server, with its capacity weight (default 1) and the most dialogs it takes (default: no limit);"
                    + " repeatable")
    List<String> backends;

    @Option(names = "--affinity", paramLabel = "KEY", defaultValue = "call-id",
            description = "How new dialogs are placed: call-id, from-user, ruri-user (REGISTER and INVITE for a user together)"
                    + " or least-dialogs (${DEFAULT-VALUE})")
    String affinity;

    @Option(names = "--dialog-timeout", paramLabel = "DURATION", defaultValue = "2h",
            description = "A dialog without a BYE counts as ended after this long (${DEFAULT-VALUE})")
    String dialogTimeout;

    @Option(names = "--api", paramLabel = "HOST:PORT",
            description = "Serve the HTTP API here (POST /actions: the policy engine's webhook for block and rate-limit)")
    String api;

    @Option(names = "--telemetry", paramLabel = "TAG",
            description = "Publish traffic and heaviest-source events every 100 ms, and backend changes, on this broker channel")
    String telemetry;

    @Option(names = "--commands", paramLabel = "TAG",
            description = "Take backend commands (sip.edge.command events: op add|remove|drain) from this broker channel")
    String commands;

    @Mixin ClientOptions client;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "Serve Prometheus metrics (/metrics) here")
    String metrics;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop after this long (default: when killed)")
    String duration;

    @Override
    public Integer call() throws Exception {
        List<Backend> list = new ArrayList<>();
        for (String b : backends) {
            String[] parts = b.split(",");
            if (parts.length > 3) {
                throw new IllegalArgumentException("--backend " + b + ": expected HOST:PORT[,WEIGHT[,MAX_DIALOGS]]");
            }
            try {
                double weight = parts.length > 1 ? Double.parseDouble(parts[1]) : 1;
                int max = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
                list.add(new Backend(socket(parts[0], "--backend"), weight, max));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--backend " + b + ": the weight and the dialog limit are numbers");
            }
        }
        Affinity placement = Affinity.parse(affinity);
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch reported = new CountDownLatch(1);
        if (commands != null && telemetry == null) {
            throw new IllegalArgumentException("--commands needs --telemetry (the channel where backend changes are published)");
        }
        java.util.concurrent.atomic.AtomicReference<EdgeRole> role = new java.util.concurrent.atomic.AtomicReference<>();
        try (EdgeProxy edge = new EdgeProxy(socket(listen, "--listen"), list, c -> {
            System.err.println("lb: backend " + c.backend().id() + " " + c.state() + " (" + c.why() + ")");
            EdgeRole r = role.get();
            if (r != null) {
                r.changed(c);
            }
        })) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopped.countDown();
                try {
                    reported.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            edge.affinity(placement);
            edge.dialogTimeout(Durations.parse(dialogTimeout));
            BrokerClient broker = null;
            if (telemetry != null) {
                broker = client.connect(java.time.Duration.ofMillis(5));
                role.set(new EdgeRole(broker, edge, telemetry, commands));
            }
            HTTPServer prometheus = null;
            if (metrics != null) {
                PrometheusRegistry registry = new PrometheusRegistry();
                edge.registerMetrics(registry);
                InetSocketAddress at = socket(metrics, "--metrics");
                prometheus = HTTPServer.builder().hostname(at.getHostString()).port(at.getPort()).registry(registry).buildAndStart();
            }
            EdgeApi http = api == null ? null : new EdgeApi(socket(api, "--api"), edge);
            System.err.println("lb: listening on " + edge.address().getHostString() + ":" + edge.address().getPort()
                    + " (UDP and TCP), backends " + list + (http == null ? "" : "; API on http://" + http.address().getHostString()
                    + ":" + http.address().getPort() + "/actions"));
            if (duration != null) {
                stopped.await(Durations.parse(duration).toMillis(), TimeUnit.MILLISECONDS);
            } else {
                stopped.await();
            }
            if (http != null) {
                http.close();
            }
            if (prometheus != null) {
                prometheus.close();
            }
            if (broker != null) {
                role.get().close();
                broker.close();
            }
            System.err.println("lb: " + edge.counters());
            reported.countDown();
        }
        return 0;
    }

    private static InetSocketAddress socket(String text, String option) {
        InetSocketAddress a = HostPort.parse(text);
        if (a.isUnresolved()) {
            throw new IllegalArgumentException(option + " " + text + ": unknown host");
        }
        return a;
    }
}
