package dev.d2r2.cluster.raft;

import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.Replica;
import dev.d2r2.cluster.tls.RaftTls;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One replica of the control plane: a Ratis server for the cluster's group, with its log and
 * snapshots under {@code storageDir} (a broker's is {@code <data>/raft}).
 *
 * <p>A replica listed in the cluster file starts the group with the file's replicas on its first
 * start; a replica that is not listed joins empty and waits for {@code d2r2 cluster add} to bring
 * it in, then catches up from the leader (log entries, or a snapshot when they are purged).
 * On a restart the storage's own configuration wins over the file.
 */
public final class ClusterNode implements AutoCloseable {
    private final RaftServer server;
    private final RaftGroupId groupId;
    private final ControlStateMachine stateMachine;

    private ClusterNode(RaftServer server, RaftGroupId groupId, ControlStateMachine stateMachine) {
        this.server = server;
        this.groupId = groupId;
        this.stateMachine = stateMachine;
    }

    /** Starts replica {@code id} of {@code cluster}, which lists it. */
    public static ClusterNode start(ClusterFile cluster, String id, Path storageDir, RaftSettings settings,
                                    RaftTls tls, CommittedCommands listener) throws IOException {
        Replica self = cluster.replica(id).orElseThrow(() -> new IllegalArgumentException("the cluster file lists no replica "
                + id + " (known: " + cluster.replicas().stream().map(Replica::name).toList() + ")"));
        return start(cluster, id, self.socketAddress(), storageDir, settings, tls, listener);
    }

    /**
     * Starts replica {@code id} listening on {@code address}: as a member when the file lists it,
     * else as a newcomer waiting to be added. Its Raft traffic runs over {@code tls} (plain when
     * the cluster file has no {@code tls}).
     */
    public static ClusterNode start(ClusterFile cluster, String id, InetSocketAddress address, Path storageDir,
                                    RaftSettings settings, RaftTls tls, CommittedCommands listener) throws IOException {
        tls.checkServes(address.getHostString());
        RaftGroupId groupId = RaftGroupId.valueOf(cluster.groupUuid());
        boolean listed = cluster.replica(id).isPresent();
        RaftGroup group = listed ? RaftGroup.valueOf(groupId, peers(cluster.replicas())) : RaftGroup.valueOf(groupId);
        Files.createDirectories(storageDir);
        boolean recover = Files.isDirectory(storageDir.resolve(groupId.getUuid().toString()));
        ControlStateMachine sm = new ControlStateMachine(listener);
        RaftServer server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(id))
                .setGroup(group)
                .setProperties(settings.serverProperties(address, storageDir))
                .setParameters(tls.parameters())
                .setStateMachine(sm)
                .setOption(recover ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
        return new ClusterNode(server, groupId, sm);
    }

    static List<RaftPeer> peers(List<Replica> replicas) {
        return replicas.stream().map(r -> peer(r.name(), r.address())).toList();
    }

    static RaftPeer peer(String name, String address) {
        return RaftPeer.newBuilder().setId(name).setAddress(address).build();
    }

    public String id() {
        return server.getId().toString();
    }

    public ReplicaSummary summary() {
        return stateMachine.summary();
    }

    public boolean isLeader() throws IOException {
        return server.getDivision(groupId).getInfo().isLeader();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
