package dev.d2r2.app.cli;

import dev.d2r2.app.node.ApiConfig;
import dev.d2r2.app.node.BackendConfig;
import dev.d2r2.app.node.EdgeConfig;
import dev.d2r2.app.node.EdgeService;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.core.Durations;
import dev.d2r2.core.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
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
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see docs/sip-edge.md); options given here win")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where to listen (default 127.0.0.1:5060)")
    String listen;

    @Option(names = "--backend", paramLabel = "HOST:PORT[,WEIGHT[,MAX_DIALOGS]]",
            description = "A SIP server, with its capacity weight (default 1) and the most dialogs it takes (default: no limit);"
                    + " repeatable; replaces the configuration's backends")
    List<String> backends;

    @Option(names = "--affinity", paramLabel = "KEY",
            description = "How new dialogs are placed: call-id (default), from-user, ruri-user (REGISTER and INVITE for a user"
                    + " together) or least-dialogs")
    String affinity;

    @Option(names = "--dialog-timeout", paramLabel = "DURATION", description = "A dialog without a BYE counts as ended after this long (default 2h)")
    String dialogTimeout;

    @Option(names = "--api", paramLabel = "HOST:PORT",
            description = "Serve the HTTP API here (POST /actions: the policy engine's webhook for block and rate-limit;"
                    + " /backends); reads are open on a loopback address only")
    String api;

    @Option(names = "--api-token-file", paramLabel = "FILE",
            description = "The bearer token every change through the API needs (created, mode 0600, when missing);"
                    + " without one the API takes no changes")
    String apiTokenFile;

    @Option(names = "--telemetry", paramLabel = "TAG",
            description = "Publish traffic and heaviest-source events every 100 ms, and backend changes, on this broker channel")
    String telemetry;

    @Option(names = "--commands", paramLabel = "TAG",
            description = "Take backend commands (sip.edge.command events: op add|remove|drain|move) from this broker channel")
    String commands;

    @Option(names = "--mover", paramLabel = "IDENTITY",
            description = "A broker identity whose move commands the edge takes (repeatable; the migration hosts'): others' are refused")
    List<String> movers;

    @Mixin ClientOptions client;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "Serve Prometheus metrics (/metrics) here")
    String metrics;

    @Option(names = "--receivers", paramLabel = "N", description = "UDP sockets (and threads) sharing the port (default: one per two cores)")
    Integer receivers;

    @Option(names = "--no-probe", description = "Send the backends no OPTIONS probes: judge them by their answers to requests"
            + " alone (for servers that do not answer OPTIONS)")
    boolean noProbe;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop after this long (default: when killed)")
    String duration;

    @Override
    public Integer call() throws Exception {
        EdgeConfig c = merged(config == null ? null
                : ConfigLoader.load(config, EdgeConfig.class).resolvedAgainst(config.toAbsolutePath().getParent()));
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch reported = new CountDownLatch(1);
        BrokerClient broker = c.telemetry() == null ? null : client.connect(java.time.Duration.ofMillis(5));
        try (EdgeService service = new EdgeService(c, broker, e ->
                System.err.println("lb: backend " + e.backend().id() + " " + e.state() + " (" + e.why() + ")"))) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopped.countDown();
                try {
                    reported.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            System.err.println("lb: " + service.describe());
            if (duration != null) {
                stopped.await(Durations.parse(duration).toMillis(), TimeUnit.MILLISECONDS);
            } else {
                stopped.await();
            }
            System.err.println("lb: " + service.edge().counters());
        } finally {
            if (broker != null) {
                broker.close();
            }
            reported.countDown();
        }
        return 0;
    }

    /** The file's configuration with the command line's options over it. */
    private EdgeConfig merged(EdgeConfig f) {
        List<BackendConfig> list = backends != null ? backends.stream().map(BackendConfig::parse).toList()
                : f != null ? f.backends() : null;
        if (list == null || list.isEmpty()) {
            throw new IllegalArgumentException("give --backend HOST:PORT (repeatable) or --config FILE with backends");
        }
        return new EdgeConfig(pick(listen, f == null ? null : f.listen()), list, pick(affinity, f == null ? null : f.affinity()),
                dialogTimeout != null ? Durations.parse(dialogTimeout) : f == null ? null : f.dialogTimeout(),
                api(f == null ? null : f.api()), pick(metrics, f == null ? null : f.metrics()),
                pick(telemetry, f == null ? null : f.telemetry()), pick(commands, f == null ? null : f.commands()),
                f == null ? null : f.suspectRate(), f == null ? null : f.probeInterval(), f == null ? null : f.probeTimeout(),
                noProbe ? Boolean.FALSE : f == null ? null : f.probe(),
                receivers != null ? receivers : f == null ? null : f.receivers(), f == null ? null : f.tcp(),
                movers != null ? movers : f == null ? null : f.movers());
    }

    /** The file's API section with --api and --api-token-file over it. */
    private ApiConfig api(ApiConfig file) {
        ApiConfig a = file;
        if (api != null) {
            a = a == null ? ApiConfig.listening(api) : a.withListen(api);
        }
        if (apiTokenFile != null) {
            a = (a == null ? ApiConfig.listening(ApiConfig.DEFAULT_LISTEN) : a).withTokenFile(apiTokenFile);
        }
        return a;
    }

    private static String pick(String option, String file) {
        return option != null ? option : file;
    }
}
