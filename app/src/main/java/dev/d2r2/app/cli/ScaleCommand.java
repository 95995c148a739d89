package dev.d2r2.app.cli;

import dev.d2r2.app.node.Channels;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.scale.CloneBan;
import dev.d2r2.scale.Cloud;
import dev.d2r2.scale.CloudAccessLog;
import dev.d2r2.scale.CloudIdentities;
import dev.d2r2.scale.CloudPublishers;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.InstanceType;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScalerApi;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.driver.Driver;
import dev.d2r2.scale.driver.KubernetesDriver;
import dev.d2r2.scale.driver.Lifecycle;
import dev.d2r2.scale.driver.ProcessDriver;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Function;

/** {@code d2r2 scale check}: elastic capacity (docs/scaling.md). */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Elastic capacity: check instance-type files, or run the scaler in front of a SIP edge.",
        subcommands = {ScaleCommand.Check.class, ScaleCommand.Network.class, ScaleCommand.Identities.class, ScaleCommand.Run.class})
public final class ScaleCommand extends CommandGroup {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check instance-type files: exit 0 when valid, 2 when not (the error on stderr as file:line:col).")
    public static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*") List<Path> files;

        @Override
        public Integer call() {
            int code = 0;
            for (Path f : files) {
                try {
                    ScaleConfig c = ScaleConfig.load(f);
                    System.err.println(f + ": ok (" + c.clouds().size() + " clouds, " + c.types().size() + " types)");
                    for (Map.Entry<String, InstanceType> t : c.types().entrySet()) {
                        InstanceType type = t.getValue();
                        System.err.println("  " + t.getKey() + ": " + type.min() + "-" + type.max() + " instances in " + type.cloud()
                                + ", target " + type.target().perInstance() + " " + type.target().metric() + " each, steps of at most "
                                + type.largestStep() + ", scale-in below " + type.scaleDown().below() + " " + type.scaleDown().metric());
                    }
                } catch (ConfigException e) {
                    System.err.println(e.getMessage());
                    code = CliErrors.BAD_INPUT;
                }
            }
            return code;
        }
    }

    @Command(name = "network", mixinStandardHelpOptions = true,
            description = "Set up every cloud's bridge (its first address the host's), so that the edge can bind a gateway address"
                    + " before `scale run` starts instances; with --remove, remove them and whatever a run left behind.")
    public static final class Network implements Callable<Integer> {
        @Option(names = "--types", paramLabel = "FILE", required = true) Path types;

        @Option(names = "--prefix", defaultValue = ProcessDriver.DEFAULT_PREFIX, description = "(${DEFAULT-VALUE})") String prefix;

        @Option(names = "--remove") boolean remove;

        @Override
        public Integer call() throws Exception {
            ScaleConfig config = loadTypes(types);
            if (config == null) {
                return CliErrors.BAD_INPUT;
            }
            if (remove) {
                ProcessDriver.cleanup(prefix);
                return 0;
            }
            ProcessDriver.network(config, prefix);
            config.clouds().forEach((name, c) -> System.err.println("scale: cloud " + name + ": bridge " + prefix + name + ", gateway "
                    + c.gateway()));
            return 0;
        }
    }

    @Command(name = "identities", mixinStandardHelpOptions = true,
            description = "Register a broker identity for each cloud that names an identity file (an administrator's identity), write"
                    + " the file, and make it the only publisher of the cloud's channel (CHANNEL.CLOUD); a file already there is kept.")
    public static final class Identities implements Callable<Integer> {
        @Option(names = "--types", paramLabel = "FILE", required = true) Path types;

        @Option(names = "--channel", paramLabel = "TAG", defaultValue = "scale", description = "The scaler's channel (${DEFAULT-VALUE})")
        String channel;

        @Mixin ClientOptions client;

        @Override
        public Integer call() throws Exception {
            ScaleConfig config = loadTypes(types);
            if (config == null) {
                return CliErrors.BAD_INPUT;
            }
            try (BrokerClient admin = client.connect()) {
                List<String> made = CloudIdentities.register(admin, IdentityFile.load(client.identity), config, channel,
                        Channels.RECORDED_ALARMS);
                config.clouds().forEach((name, c) -> System.err.println("scale: cloud " + name + ": " + (c.identity() == null
                        ? "no identity (its events go on " + channel + ")"
                        : (made.contains(name) ? "registered " : "kept ") + CloudIdentities.identity(channel, name) + " in "
                        + c.identity() + ", the only publisher of " + CloudIdentities.channel(channel, name))));
            }
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"The scaler role: each type's min instances started (or adopted) and added to the edge, load levels"
                    + " (scale.load) and every instance's life and phases on the broker channel (those of a cloud with an identity file on"
                    + " the cloud's channel, under its identity), scale-out, scale-in and clone bans taken on its"
                    + " API (the policy engine's scaler webhook). The process driver needs root (namespaces, cgroups); the kubernetes"
                    + " driver uses the current kubeconfig context (or the in-cluster service account)."})
    public static final class Run implements Callable<Integer> {
        @Option(names = "--types", paramLabel = "FILE", required = true, description = "The instance-types file") Path types;

        @Option(names = "--edge-api", paramLabel = "URL", required = true, description = "The SIP edge's HTTP API, e.g. http://127.0.0.1:8090")
        URI edgeApi;

        @Option(names = "--edge-token-file", paramLabel = "FILE", required = true, description = "The edge API's token file") Path edgeToken;

        @Option(names = "--edge-metrics", paramLabel = "URL", description = "The edge's Prometheus /metrics, for calls_per_s")
        URI edgeMetrics;

        @Option(names = "--api", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8091", description = "This scaler's API (${DEFAULT-VALUE})")
        String api;

        @Option(names = "--api-token-file", paramLabel = "FILE", defaultValue = "scaler-api.token",
                description = "Its bearer token (created 0600 when missing; ${DEFAULT-VALUE})")
        Path apiToken;

        @Option(names = "--channel", paramLabel = "TAG", defaultValue = "scale", description = "Where its events go (${DEFAULT-VALUE})")
        String channel;

        @Option(names = "--work", paramLabel = "DIR", defaultValue = "scale-work", description = "Instances' directories (${DEFAULT-VALUE})")
        Path work;

        @Option(names = "--prefix", defaultValue = ProcessDriver.DEFAULT_PREFIX,
                description = "Names of bridges, namespaces and cgroups start with it (${DEFAULT-VALUE})")
        String prefix;

        @Option(names = "--driver", defaultValue = PROCESS, description = "process or kubernetes (${DEFAULT-VALUE})") String driver;

        @Option(names = "--kube-namespace", paramLabel = "CLOUD=NS",
                description = "kubernetes: the namespace of each cloud it may use (the others are not used)")
        Map<String, String> kubeNamespaces = new LinkedHashMap<>();

        @Option(names = "--kube-scaler", paramLabel = "NAME", defaultValue = "d2r2",
                description = "kubernetes: this scaler's name, a label on its Pods; a restart under the same name adopts them (${DEFAULT-VALUE})")
        String kubeScaler;

        @Mixin ClientOptions client;

        @Override
        public Integer call() throws Exception {
            ScaleConfig config = loadTypes(types);
            if (config == null) {
                return CliErrors.BAD_INPUT;
            }
            if (!driver.equals(PROCESS) && !driver.equals(KUBERNETES)) {
                System.err.println("scale run: --driver must be " + PROCESS + " or " + KUBERNETES + " (got " + driver + ")");
                return CliErrors.BAD_INPUT;
            }
            String refused = driver.equals(KUBERNETES) ? kubernetesRefusal(config) : null;
            if (refused != null) {
                System.err.println("scale run: " + refused);
                return CliErrors.BAD_INPUT;
            }
            if (driver.equals(PROCESS)) {
                // no cleanup: the driver adopts what a previous run left running and removes the rest
                ProcessDriver.network(config, prefix);
            }
            try (KubernetesClient kube = driver.equals(KUBERNETES) ? new KubernetesClientBuilder().build() : null) {
                return serve(config, drivers(config, kube));
            }
        }

        /** Why the kubernetes driver cannot run these types with these options; null when it can. */
        private String kubernetesRefusal(ScaleConfig config) {
            if (kubeNamespaces.isEmpty()) {
                return "--driver kubernetes needs --kube-namespace CLOUD=NS for each cloud it may use";
            }
            for (String cloud : kubeNamespaces.keySet()) {
                if (!config.clouds().containsKey(cloud)) {
                    return "--kube-namespace " + cloud + ": no such cloud in " + types;
                }
            }
            for (Map.Entry<String, InstanceType> t : config.types().entrySet()) {
                if (t.getValue().template().image() == null) {
                    return "type " + t.getKey() + " has no template.image, which the kubernetes driver needs";
                }
                if (!kubeNamespaces.containsKey(t.getValue().cloud())) {
                    return "type " + t.getKey() + "'s cloud " + t.getValue().cloud() + " has no --kube-namespace";
                }
            }
            return null;
        }

        private Function<Lifecycle, Driver> drivers(ScaleConfig config, KubernetesClient kube) {
            if (kube == null) {
                return lifecycle -> new ProcessDriver(config, prefix, work, lifecycle);
            }
            Map<String, KubernetesDriver.Target> targets = new LinkedHashMap<>();
            kubeNamespaces.forEach((cloud, ns) -> targets.put(cloud, new KubernetesDriver.Target(kube, ns)));
            return lifecycle -> new KubernetesDriver(config, targets, kubeScaler, POD_READY_DEADLINE, lifecycle);
        }

        private int serve(ScaleConfig config, Function<Lifecycle, Driver> drivers) throws Exception {
            CountDownLatch stopped = new CountDownLatch(1);
            EdgeClient edge = new EdgeClient(edgeApi, BearerToken.read(edgeToken));
            ScalerOptions options = ScalerOptions.DEFAULT.withEdgeMetrics(edgeMetrics);
            Map<String, BrokerClient> clouds = new LinkedHashMap<>();
            try (BrokerClient c = connect(client, channel);
                 CloudPublishers publish = new CloudPublishers(connectClouds(config, clouds), channel, new OnFirstUse(c, channel));
                 ScalerRole role = new ScalerRole(config, drivers, edge, options.withRestoredBans(restored(c)), Clock.system(), publish);
                 ScalerApi server = new ScalerApi(HostPort.parse(api), BearerToken.loadOrCreate(apiToken), role)) {
                Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
                System.err.println("scale: " + types + " (" + String.join(", ", config.types().keySet()) + "), " + driver + " driver; API on "
                        + server.address().getHostString() + ":" + server.address().getPort() + "; events on " + channel);
                stopped.await();
            } finally {
                clouds.values().forEach(BrokerClient::close);
            }
            return 0;
        }

        /** The clone bans a previous run left in force, from the {@code scale.cloud} events in the channel's log. */
        private List<CloneBan> restored(BrokerClient c) throws IOException, InterruptedException {
            List<CloneBan> bans = CloneBan.inForce(CloudAccessLog.read(c, channel, LOG_READ_DEADLINE), System.currentTimeMillis());
            bans.forEach(b -> System.err.println("scale: " + b.action() + " still closes " + b.cloud() + " (restored from " + channel + ")"));
            return bans;
        }

        /** A client per cloud that names an identity file, connected with it, into {@code into}. */
        private static Map<String, BrokerClient> connectClouds(ScaleConfig config, Map<String, BrokerClient> into) throws IOException {
            for (Map.Entry<String, Cloud> c : config.clouds().entrySet()) {
                if (c.getValue().identity() != null) {
                    into.put(c.getKey(), RemoteBrokerClient.connect(IdentityFile.load(Path.of(c.getValue().identity()))));
                }
            }
            return into;
        }
    }

    private static final String PROCESS = "process";
    private static final String KUBERNETES = "kubernetes";
    /** How long reading the scaler's channel for the clone bans in force may take at start. */
    private static final Duration LOG_READ_DEADLINE = Duration.ofSeconds(30);
    /** How long a new Pod has to become Ready (an image pull included). */
    private static final Duration POD_READY_DEADLINE = Duration.ofMinutes(2);

    /** The instance-types file, or null when it is not valid (the reason printed on stderr). */
    private static ScaleConfig loadTypes(Path types) {
        try {
            return ScaleConfig.load(types);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return null;
        }
    }

    /** The broker, with the scaler's channel created unless it exists (a log: load levels are alarms). */
    private static BrokerClient connect(ClientOptions client, String channel) throws java.io.IOException {
        BrokerClient c = client.connect();
        Channels.ensure(c, channel, Channels.RECORDED_ALARMS);
        return c;
    }

    /** The role's publisher, made on the role's thread at its first event: a publisher is used by one thread. */
    private static final class OnFirstUse implements Consumer<Event> {
        private final BrokerClient client;
        private final String channel;
        private Publisher publisher;

        OnFirstUse(BrokerClient client, String channel) {
            this.client = client;
            this.channel = channel;
        }

        @Override
        public void accept(Event e) {
            if (publisher == null) {
                publisher = client.publisher(channel);
            }
            publisher.publish(e);
        }
    }
}
