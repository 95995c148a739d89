package dev.d2r2.app.cli;

import dev.d2r2.app.bft.BftOrderer;
import dev.d2r2.app.bft.ReplicaKey;
import dev.d2r2.app.node.BrokerConfig;
import dev.d2r2.app.node.Channels;
import dev.d2r2.bft.net.BftNode;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.ForwardedCatchUp;
import dev.d2r2.broker.client.ForwardedRepair;
import dev.d2r2.broker.client.ForwardingLinks;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.broker.server.ForwardedGapFill;
import dev.d2r2.cluster.broker.ByzantineControl;
import dev.d2r2.cluster.broker.ReplicatedBroker;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.tls.RaftTls;
import dev.d2r2.core.Clock;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/** {@code d2r2 broker}: runs the FIT event broker until stopped. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run the FIT event broker (TLS listener, control table, channel logs, /metrics).")
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "TLS listener (default 127.0.0.1:7100)")
    String listen;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default $XDG_DATA_HOME/d2r2)")
    Path data;

    @Option(names = "--metrics", paramLabel = "HOST:PORT|off", description = "Prometheus endpoint (default 127.0.0.1:9464)")
    String metrics;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration; options given here win")
    Path config;

    @Option(names = "--cluster", paramLabel = "FILE",
            description = "Run as a replica of this cluster (identities and channels replicated on Raft); needs --id")
    Path cluster;

    @Option(names = "--bft", paramLabel = "FILE",
            description = "Run as a replica of this Byzantine cluster (n = 3f + 1): its ordered channels' events are ordered"
                    + " by HotStuff with the other replicas; needs --id")
    Path bft;

    @Option(names = "--bft-identity", paramLabel = "FILE",
            description = "With --bft: the identity file whose signing key pairs with this replica's publicKey in the"
                    + " cluster file (default: NAME.identity beside it)")
    Path bftIdentity;

    @Option(names = "--bft-state", paramLabel = "FILE",
            description = "With --bft: where the HotStuff replica keeps its votes and lock across restarts (default:"
                    + " bft.state in the data directory)")
    Path bftState;

    @Option(names = "--id", paramLabel = "NAME", description = "This replica's name in the cluster")
    String id;

    @Option(names = "--raft", paramLabel = "HOST:PORT",
            description = "Raft listener of a replica the cluster file does not list (one to `d2r2 cluster add`)")
    String raft;

    @Option(names = "--raft-key", paramLabel = "FILE",
            description = "With a cluster file that has `tls`: this replica's Raft key and certificate (default: NAME.raft.pem"
                    + " beside the cluster file, as `d2r2 cluster certs` writes it)")
    Path raftKey;

    @Option(names = "--forward-to", paramLabel = "FILE",
            description = "Forward the events publishers give this replica on `forwarded` channels to the replica this"
                    + " administrator identity file names (repeat for each other replica); on start, first catch up"
                    + " from their logs on what they took while this one was down")
    List<Path> forwardTo = List.of();

    @Option(names = "--catch-up-events", paramLabel = "N",
            description = "With --forward-to: read at most the last N events of each other replica's log of a forwarded"
                    + " channel when catching up (default 1048576); older missing events are reported as a gap")
    long catchUpEvents = ForwardedCatchUp.Reach.DEFAULT.events();

    @Option(names = "--forward-queue", paramLabel = "N",
            description = "With --forward-to: events queued per link to another replica (default 65536); what finds the"
                    + " queue full is dropped for that replica, which repairs it from the others' logs")
    int forwardQueue = ForwardingLinks.QUEUE;

    @Override
    public Integer call() throws IOException, ConfigException, InterruptedException {
        BrokerConfig c = config == null ? new BrokerConfig(null, null, null, null, null, null) : ConfigLoader.load(config, BrokerConfig.class);
        Path dataDir = data != null ? data : c.data() != null ? Path.of(c.data()) : DataDirs.defaultDataDir();
        InetSocketAddress address = HostPort.parse(first(listen, c.listen(), "127.0.0.1:7100"));
        String metricsAt = first(metrics, c.metrics(), "127.0.0.1:9464");
        if (cluster != null && bft != null) {
            throw new IllegalArgumentException("--cluster and --bft exclude each other (a Byzantine cluster's replicas keep"
                    + " their own control tables)");
        }
        if ((cluster == null && bft == null) != (id == null) || (raft != null && cluster == null)
                || ((bftIdentity != null || bftState != null) && bft == null)) {
            throw new IllegalArgumentException("--cluster or --bft and --id go together (and --raft needs --cluster,"
                    + " --bft-identity and --bft-state --bft)");
        }
        ClusterFile clusterFile = cluster == null ? null : ClusterFile.load(cluster);
        RaftTls raftTls = clusterFile == null ? RaftTls.PLAIN
                : RaftTls.load(clusterFile, raftKey != null ? raftKey : RaftTls.defaultKeyFile(cluster, id));
        PrivateKey bftKey = null;
        ClusterFile bftFile = null;
        if (bft != null) {
            bftFile = ClusterFile.load(bft);
            bftKey = ReplicaKey.load(bft, bftFile, id, bftIdentity != null ? bftIdentity : ReplicaKey.defaultFile(bft, id));
        }
        Broker broker = Broker.open(dataDir, Clock.system());
        ReplicatedBroker replica = clusterFile == null ? null
                : ReplicatedBroker.start(broker, clusterFile, id, raft == null ? null : HostPort.parse(raft), raftTls);
        BftOrderer orderer = bft == null ? null
                : startOrderer(broker, bftFile, bftKey, bftState != null ? bftState : dataDir.resolve("bft.state"));
        try (BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            Channels.declare(admin, c.channels());
        }
        List<IdentityFile> peers = new ArrayList<>();
        for (Path f : forwardTo) {
            peers.add(IdentityFile.load(f));
        }
        if (!peers.isEmpty()) {
            for (ForwardedGapFill.Result r : ForwardedCatchUp.run(broker, peers, ClientSettings.DEFAULT,
                    ForwardedCatchUp.Reach.DEFAULT.withEvents(catchUpEvents))) {
                System.err.printf("channel %s: caught up %d events from the other replicas (%d held already, %d refused, "
                        + "%d missing)%n", r.channel(), r.taken(), r.held(), r.refused(), r.missing());
            }
        }
        ForwardingLinks links = peers.isEmpty() ? null : ForwardingLinks.start(peers, ClientSettings.DEFAULT, forwardQueue);
        AgentRunner repair = null;
        if (links != null) {
            links.meter(broker.registry());
            repair = ForwardedRepair.start(broker, peers, ClientSettings.DEFAULT,
                    ForwardedCatchUp.Reach.DEFAULT.withEvents(catchUpEvents), ForwardedRepair.Timing.DEFAULT, Clock.system());
        }
        AgentRunner repairing = repair;
        broker.forwardEvents(links);
        BrokerServer server = BrokerServer.start(broker, address, c.connectionLimits());
        HTTPServer http = metricsAt.equals("off") ? null : startMetrics(broker, HostPort.parse(metricsAt));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (links != null) {
                links.close();
                closeRepair(repairing);
            }
            closeReplica(replica);
            closeOrderer(orderer);
            if (http != null) {
                http.close();
            }
            broker.close();
            stopped.countDown();
        }, "d2r2-broker-shutdown"));
        System.err.printf("d2r2 broker on %s:%d (TLS), data %s, metrics %s; identity for clients: %s%n",
                server.address().getHostString(), server.address().getPort(), dataDir, metricsAt, broker.adminIdentityPath());
        if (links != null) {
            System.err.printf("forwarding the events of forwarded channels to %d replicas%n", peers.size());
        }
        if (replica != null) {
            System.err.printf("replica %s of cluster %s (control plane on Raft, storage %s; Raft %s)%n", id, cluster,
                    dataDir.resolve(ReplicatedBroker.RAFT_DIR), raftTls.enabled() ? "over mutual TLS"
                            : "in plain text: the cluster file has no tls section, firewall the Raft addresses");
        }
        if (orderer != null) {
            System.err.printf("replica %s of Byzantine cluster %s (ordered channels%s by HotStuff; peers on %s)%n", id, bft,
                    orderer.control() == null ? "" : " and control commands signed by " + bftFile.admins().size()
                            + " administrators", bftFile.replica(id).orElseThrow().address());
        }
        stopped.await();
        return 0;
    }

    /** This process's HotStuff replica, wired to the broker before it starts deciding. */
    private BftOrderer startOrderer(Broker broker, ClusterFile file, PrivateKey key, Path state) throws IOException {
        BftOrderer orderer = BftOrderer.open(file, id, key, BftNode.Settings.DEFAULTS.withSafetyFile(state),
                UnaryOperator.identity());
        broker.orderEvents(orderer);
        if (ByzantineControl.governs(file)) {
            orderer.governControl(broker, file);
        }
        return orderer.start();
    }

    private static void closeOrderer(BftOrderer orderer) {
        if (orderer == null) {
            return;
        }
        try {
            orderer.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeRepair(AgentRunner repair) {
        try {
            repair.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeReplica(ReplicatedBroker replica) {
        if (replica == null) {
            return;
        }
        try {
            replica.close();
        } catch (IOException e) {
            System.err.println("d2r2 broker: closing the Raft replica failed: " + e.getMessage());
        }
    }

    public static HTTPServer startMetrics(Broker broker, InetSocketAddress at) throws IOException {
        return HTTPServer.builder().hostname(at.getHostString()).port(at.getPort())
                .registry(broker.registry()).buildAndStart();
    }

    private static String first(String a, String b, String c) {
        return a != null ? a : b != null ? b : c;
    }
}
