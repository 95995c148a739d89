package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.kad.Results.PutResult;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.overlay.node.OverlayStatus;
import dev.d2r2.overlay.route.RouteAgent;
import dev.d2r2.overlay.route.RouteApi;
import dev.d2r2.overlay.route.WarpConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code d2r2 overlay keygen|node|lookup|put|get}: the Kademlia DHT (docs/overlay.md). A node runs
 * until stopped; lookup, put and get start a short-lived node that joins through --via, does the
 * one operation and leaves.
 */
@Command(name = "overlay", mixinStandardHelpOptions = true,
        description = "The connectivity overlay's DHT: run a node, look up ids, put and get signed values.",
        subcommands = {OverlayCommand.Keygen.class, OverlayCommand.Node.class, OverlayCommand.Lookup.class,
                OverlayCommand.Put.class, OverlayCommand.Get.class, OverlayCommand.Route.class})
public final class OverlayCommand extends CommandGroup {

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Write a new network key (every node of one overlay needs the same) to FILE, readable by its owner only.")
    static final class Keygen implements Callable<Integer> {
        @Parameters(paramLabel = "FILE") Path file;

        @Override
        public Integer call() throws IOException {
            KeyFiles.writeNetworkKey(file);
            System.out.println("wrote " + file);
            return 0;
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    abstract static class WithKey {
        @Option(names = "--network-key", required = true, paramLabel = "FILE", description = "The overlay's key (d2r2 overlay keygen)")
        Path networkKey;

        @Option(names = "--listen", paramLabel = "HOST:PORT", description = "UDP address to bind (default ${DEFAULT-VALUE})")
        String listen = "127.0.0.1:0";

        OverlayNode start(List<String> seeds) throws IOException {
            List<InetSocketAddress> addresses = seeds == null ? List.of() : seeds.stream().map(HostPort::parse).toList();
            return OverlayNode.start(new OverlayNode.Settings(HostPort.parse(listen), addresses, KeyFiles.readNetworkKey(networkKey),
                    KadConfig.defaults(), Duration.ofSeconds(30)), Clock.system());
        }
    }

    @Command(name = "node", mixinStandardHelpOptions = true,
            description = "Run a DHT node until stopped; print or publish its overlay.node.status every --status-every.")
    static final class Node extends WithKey implements Callable<Integer> {
        @Option(names = "--join", paramLabel = "HOST:PORT", description = "A node to join through (repeatable; none: a new overlay)")
        List<String> join;

        @Option(names = "--status-every", paramLabel = "DURATION", description = "Status interval (default ${DEFAULT-VALUE})")
        String statusEvery = "10s";

        @Option(names = "--print", description = "Print each status event on stdout")
        boolean print;

        @Option(names = "--channel", paramLabel = "TAG", description = "Publish the status events on this broker channel")
        String channel;

        @Option(names = "--count", paramLabel = "N", description = "Stop after N status reports (default: run until stopped)")
        long count;

        @Mixin ClientOptions client;

        @Override
        public Integer call() throws Exception {
            Duration every = Durations.parse(statusEvery);
            try (OverlayNode node = start(join);
                 BrokerClient broker = channel == null ? null : client.connect();
                 Publisher publisher = broker == null ? null : broker.publisher(channel)) {
                System.out.println("overlay node " + node.id() + " on " + hostPort(node.address()));
                System.out.flush();
                StatusReports.run(every, count, print, publisher,
                        () -> List.of(node.status().get(10, TimeUnit.SECONDS).event(System.currentTimeMillis()).toEvent()));
            }
            return 0;
        }
    }

    abstract static class Client extends WithKey {
        @Option(names = "--via", required = true, paramLabel = "HOST:PORT", description = "A node of the overlay (repeatable)")
        List<String> via;

        @Option(names = "--timeout", paramLabel = "DURATION", description = "Give up after (default ${DEFAULT-VALUE})")
        String timeout = "10s";

        /** A node that has joined through --via, or an IOException naming the seeds that did not answer. */
        OverlayNode joined() throws IOException, InterruptedException, ExecutionException {
            OverlayNode node = start(via);
            long end = System.nanoTime() + Durations.parse(timeout).toNanos();
            OverlayStatus s;
            while ((s = node.status().get()).contacts() == 0) {
                if (System.nanoTime() > end) {
                    node.close();
                    throw new IOException("no overlay node answered at " + String.join(", ", via) + " (" + s.sent()
                            + " queries sent, " + s.sendFailures() + " failed to send; is the network key the same?)");
                }
                LockSupport.parkNanos(20_000_000);
            }
            return node;
        }

        <T> T await(CompletableFuture<T> f) throws InterruptedException, ExecutionException, IOException {
            try {
                return f.get(Durations.parse(timeout).toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IOException("the overlay did not answer within " + timeout);
            }
        }
    }

    @Command(name = "lookup", mixinStandardHelpOptions = true, description = "The k nodes closest to an id, closest first.")
    static final class Lookup extends Client implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "40 hex digits") String id;

        @Override
        public Integer call() throws Exception {
            NodeId target = NodeId.of(KeyFiles.hex("ID", 1, 1, id, NodeId.BYTES));
            try (OverlayNode node = joined()) {
                LookupResult r = await(node.lookup(target));
                for (Contact c : r.closest()) {
                    System.out.println(c.id() + " " + hostPort(c.address()));
                }
                System.err.println(r.closest().size() + " nodes, " + r.hops() + " hops, " + r.queries() + " queries");
                return r.closest().isEmpty() ? CliErrors.RUNTIME_FAILURE : 0;
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Sign VALUE as --identity's (created if the file is missing) under --name and store it on the k closest nodes.")
    static final class Put extends Client implements Callable<Integer> {
        @Option(names = "--identity", required = true, paramLabel = "FILE", description = "The owner's key pair") Path identity;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The value's name (at most 64 bytes)") String name;
        @Option(names = "--seq", paramLabel = "N", description = "Sequence number; a higher one replaces (default: now in ms)") Long seq;
        @Parameters(paramLabel = "VALUE", description = "At most 1024 bytes of UTF-8") String value;

        @Override
        public Integer call() throws Exception {
            Identity owner = Files.exists(identity) ? KeyFiles.readIdentity(identity) : KeyFiles.createIdentity(identity);
            SignedValue v = SignedValue.sign(owner, name.getBytes(StandardCharsets.UTF_8), seq == null ? System.currentTimeMillis() : seq,
                    value.getBytes(StandardCharsets.UTF_8));
            try (OverlayNode node = joined()) {
                PutResult r = await(node.put(v));
                System.out.println("key " + v.key() + " owner " + HexFormat.of().formatHex(owner.publicKey()) + " stored on "
                        + r.stored() + " of " + r.asked() + " nodes");
                return r.stored() == 0 ? CliErrors.RUNTIME_FAILURE : 0;
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Print the newest valid value for a key (or for an owner's name); exit 1 when there is none.")
    static final class Get extends Client implements Callable<Integer> {
        @ArgGroup(multiplicity = "1") Which which;

        static final class Which {
            @Option(names = "--key", paramLabel = "HEX", description = "The key (40 hex digits)") String key;
            @ArgGroup(exclusive = false) ByOwner byOwner;
        }

        static final class ByOwner {
            @Option(names = "--owner", required = true, paramLabel = "HEX", description = "The owner's public key (64 hex digits)") String owner;
            @Option(names = "--name", required = true, paramLabel = "NAME") String name;
        }

        @Override
        public Integer call() throws Exception {
            NodeId key = which.key != null ? NodeId.of(KeyFiles.hex("--key", 1, 1, which.key, NodeId.BYTES))
                    : SignedValue.keyOf(KeyFiles.hex("--owner", 1, 1, which.byOwner.owner, 32),
                    which.byOwner.name.getBytes(StandardCharsets.UTF_8));
            try (OverlayNode node = joined()) {
                GetResult r = await(node.get(key));
                if (r.value() == null) {
                    System.err.println("no value for " + key + " (" + r.queries() + " queries)");
                    return CliErrors.RUNTIME_FAILURE;
                }
                System.out.println(new String(r.value().data(), StandardCharsets.UTF_8));
                System.err.println("seq " + r.value().seq() + ", " + r.hops() + " hops, " + r.queries() + " queries");
                return 0;
            }
        }
    }

    @Command(name = "route", mixinStandardHelpOptions = true,
            description = "Run a route-around agent until stopped: answer probes, take part in relay searches (limited flooding or"
                    + " WARP), relay tunnel traffic; with --destination, watch the direct path and tunnel --entrance's datagrams"
                    + " through a relay while it is down.")
    static final class Route implements Callable<Integer> {
        private static final Duration DHT_NEIGHBOURS_EVERY = Duration.ofSeconds(5);

        @Option(names = "--network-key", required = true, paramLabel = "FILE", description = "The overlay's key (d2r2 overlay keygen)")
        Path networkKey;

        @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "The agent's UDP address (a concrete host)")
        String listen;

        @Option(names = "--neighbour", paramLabel = "HOST:PORT", description = "An overlay neighbour (repeatable), nearest first")
        List<String> neighbours;

        @Option(names = "--destination", paramLabel = "HOST:PORT", description = "The destination agent to watch and tunnel to")
        String destination;

        @Option(names = "--service-port", paramLabel = "PORT", defaultValue = "0", description = "The destination's local UDP service port")
        int servicePort;

        @Option(names = "--entrance", paramLabel = "HOST:PORT", description = "The tunnel's local entrance (UDP)")
        String entrance;

        @Option(names = "--algorithm", paramLabel = "NAME", defaultValue = "flooding",
                description = "The relay search, the same on every agent of the overlay: flooding or warp (${DEFAULT-VALUE})")
        String algorithm;

        @Option(names = "--contingent", paramLabel = "C", defaultValue = "8", description = "A flood's ping contingent (${DEFAULT-VALUE})")
        int contingent;

        @Option(names = "--warp-k", paramLabel = "K", defaultValue = "3", description = "WARP: peers asked per extended-search step (${DEFAULT-VALUE})")
        int warpK;

        @Option(names = "--warp-probes", paramLabel = "N", defaultValue = "3", description = "WARP: probes per measurement and seekers (${DEFAULT-VALUE})")
        int warpProbes;

        @Option(names = "--warp-probe-timeout", paramLabel = "DURATION", defaultValue = "150ms",
                description = "WARP: a measurement's wait for its probes (${DEFAULT-VALUE})")
        String warpProbeTimeout;

        @Option(names = "--warp-step", paramLabel = "DURATION", defaultValue = "250ms",
                description = "WARP: the wait for the seekers' answers, the trace's reports and each extended-search step (${DEFAULT-VALUE})")
        String warpStep;

        @Option(names = "--warp-timeout", paramLabel = "DURATION", defaultValue = "3s", description = "WARP: a search's time-out (${DEFAULT-VALUE})")
        String warpTimeout;

        @Option(names = "--warp-max-hops", paramLabel = "N", defaultValue = "8", description = "WARP: overlay hops of a seeker (${DEFAULT-VALUE})")
        int warpMaxHops;

        @Option(names = "--warp-max-rtt", paramLabel = "DURATION", defaultValue = "100ms",
                description = "WARP: sufficient performance, a relay's RTT to the destination at most (${DEFAULT-VALUE})")
        String warpMaxRtt;

        @Option(names = "--warp-max-loss", paramLabel = "SHARE", defaultValue = "0.34",
                description = "WARP: sufficient performance, the share of its probes lost at most (${DEFAULT-VALUE})")
        double warpMaxLoss;

        @Option(names = "--reroute", paramLabel = "WHO", defaultValue = "autonomous",
                description = "Who starts and withdraws a reroute: autonomous (the agent, on its probes) or policy (the policy engine,"
                        + " through --api) (${DEFAULT-VALUE})")
        String reroute;

        @Option(names = "--api", paramLabel = "HOST:PORT", description = "The actuator API for the policy engine (loopback; with --reroute policy)")
        String api;

        @Option(names = "--api-token-file", paramLabel = "FILE", defaultValue = "route-api.token",
                description = "Its bearer token (created 0600 when missing; ${DEFAULT-VALUE})")
        Path apiToken;

        @Option(names = "--channel", paramLabel = "TAG", description = "Also publish the events on this broker channel")
        String channel;

        @Mixin ClientOptions client;

        @Option(names = "--probe-every", paramLabel = "DURATION", defaultValue = "200ms", description = "Direct-path probes (${DEFAULT-VALUE})")
        String probeEvery;

        @Option(names = "--down-after", paramLabel = "N", defaultValue = "3", description = "Missed probes in a row for down (${DEFAULT-VALUE})")
        int downAfter;

        @Option(names = "--up-after", paramLabel = "N", defaultValue = "3", description = "Answered probes in a row for direct (${DEFAULT-VALUE})")
        int upAfter;

        @Option(names = "--flood-timeout", paramLabel = "DURATION", defaultValue = "1s", description = "Flood again after (${DEFAULT-VALUE})")
        String floodTimeout;

        @Option(names = "--dht-listen", paramLabel = "HOST:PORT",
                description = "Run a DHT node here for the relay cache: relays store themselves, the source looks there before flooding")
        String dhtListen;

        @Option(names = "--join", paramLabel = "HOST:PORT", description = "A DHT node to join through (repeatable; with --dht-listen)")
        List<String> join;

        @Option(names = "--dht-neighbours", paramLabel = "N", defaultValue = "0",
                description = "Also take up to N overlay neighbours from the DHT node's routing table (with --dht-listen; each one's agent"
                        + " on its DHT host at this agent's port offset from its DHT port; looked up every 5 s) (${DEFAULT-VALUE})")
        int dhtNeighbours;

        @Override
        public Integer call() throws Exception {
            if (contingent < 1 || downAfter < 1 || upAfter < 1) {
                throw new IllegalArgumentException("--contingent, --down-after and --up-after are at least 1");
            }
            RouteAgent.Algorithm search = choice(RouteAgent.Algorithm.class, "--algorithm", algorithm);
            RouteAgent.Remediation who = choice(RouteAgent.Remediation.class, "--reroute", reroute);
            if (dhtNeighbours < 0 || (dhtNeighbours > 0 && dhtListen == null)) {
                throw new IllegalArgumentException("--dht-neighbours is at least 0, and goes with --dht-listen");
            }
            if ((who == RouteAgent.Remediation.POLICY) != (api != null) || (api != null && destination == null)) {
                throw new IllegalArgumentException("--reroute policy goes with --api, and both with --destination");
            }
            Duration step = Durations.parse(warpStep);
            WarpConfig warp = new WarpConfig(warpK, warpProbes, Durations.parse(warpProbeTimeout), step, step, step,
                    Durations.parse(warpTimeout), warpMaxHops, Durations.parse(warpMaxRtt), warpMaxLoss);
            List<InetSocketAddress> around = neighbours == null ? List.of() : neighbours.stream().map(HostPort::parse).toList();
            RouteAgent.Settings settings = new RouteAgent.Settings(HostPort.parse(listen), KeyFiles.readNetworkKey(networkKey), around,
                    destination == null ? null : HostPort.parse(destination), servicePort, entrance == null ? null : HostPort.parse(entrance),
                    search, contingent, Durations.parse(floodTimeout), warp, Durations.parse(probeEvery), downAfter, upAfter, who);
            CountDownLatch stopped = new CountDownLatch(1);
            List<InetSocketAddress> seeds = join == null ? List.of() : join.stream().map(HostPort::parse).toList();
            try (BrokerClient broker = channel == null ? null : client.connect();
                 Publisher publisher = broker == null ? null : broker.publisher(channel);
                 OverlayNode dht = dhtListen == null ? null : OverlayNode.start(new OverlayNode.Settings(HostPort.parse(dhtListen), seeds,
                    settings.networkKey(), KadConfig.defaults(), Duration.ofSeconds(30)), Clock.system());
                 RouteAgent agent = RouteAgent.start(settings, dht, dhtNeighbours == 0 ? null : new RouteAgent.DhtNeighbours(dhtNeighbours,
                         settings.listen().getPort() - HostPort.parse(dhtListen).getPort(), DHT_NEIGHBOURS_EVERY), e -> {
                     System.out.println(EventCodec.encodeToString(e));
                     System.out.flush();
                     if (publisher != null) {
                         publisher.publish(e);
                     }
                 }, Clock.system());
                 RouteApi server = api == null ? null : new RouteApi(HostPort.parse(api), BearerToken.loadOrCreate(apiToken), agent)) {
                Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
                System.out.println("route agent on " + hostPort(agent.address()) + (server == null ? "" : ", API on " + hostPort(server.address())));
                System.out.flush();
                stopped.await();
            }
            return 0;
        }

        private static <E extends Enum<E>> E choice(Class<E> type, String option, String value) {
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(value)) {
                    return e;
                }
            }
            throw new IllegalArgumentException(option + " is one of " + Arrays.stream(type.getEnumConstants())
                    .map(e -> e.name().toLowerCase(Locale.ROOT)).toList() + ", not " + value);
        }
    }
}
