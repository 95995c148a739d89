package dev.d2r2.cluster.broker;

import dev.d2r2.broker.server.Broker;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.events.EventBatcher;
import dev.d2r2.cluster.raft.ClusterClient;
import dev.d2r2.cluster.raft.ClusterNode;
import dev.d2r2.cluster.raft.RaftSettings;
import dev.d2r2.cluster.tls.RaftTls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A broker running as replica {@code id} of a cluster: its Raft replica (storage
 * {@code <data>/raft}) and the bridge that keeps the broker's control table in step with it.
 * Start it after opening the broker and before serving clients.
 */
public final class ReplicatedBroker implements AutoCloseable {
    /** The replica's Raft log and snapshots live next to the broker's own data. */
    public static final String RAFT_DIR = "raft";

    private final ClusterNode node;
    private final ClusterClient client;
    private final BrokerReplica bridge;
    private final EventBatcher batcher;

    private ReplicatedBroker(ClusterNode node, ClusterClient client, BrokerReplica bridge, EventBatcher batcher) {
        this.node = node;
        this.client = client;
        this.bridge = bridge;
        this.batcher = batcher;
    }

    /**
     * @param raft the Raft listener of a replica the cluster file does not list (one waiting for
     *             {@code d2r2 cluster add}); null for a listed replica, which listens where the file says
     * @param tls the replica's Raft TLS (its key file's), for its server and its own client alike
     */
    public static ReplicatedBroker start(Broker broker, ClusterFile cluster, String id, InetSocketAddress raft,
                                         RaftTls tls) throws IOException {
        BrokerReplica bridge = new BrokerReplica(broker, Duration.ofSeconds(30));
        Path storage = broker.dataDir().resolve(RAFT_DIR);
        ClusterNode node = raft == null ? ClusterNode.start(cluster, id, storage, RaftSettings.BROKER, tls, bridge)
                : ClusterNode.start(cluster, id, raft, storage, RaftSettings.BROKER, tls, bridge);
        ClusterClient client = new ClusterClient(cluster, tls);
        bridge.submitThrough(client);
        EventBatcher batcher = new EventBatcher(client);
        broker.replicateEvents(batcher);
        return new ReplicatedBroker(node, client, bridge, batcher);
    }

    public ClusterNode node() {
        return node;
    }

    public BrokerReplica bridge() {
        return bridge;
    }

    @Override
    public void close() throws IOException {
        batcher.close();
        try (ClusterClient c = client) {
            node.close();
        }
    }
}
