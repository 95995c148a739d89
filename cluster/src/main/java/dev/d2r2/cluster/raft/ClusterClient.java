package dev.d2r2.cluster.raft;

import dev.d2r2.cluster.command.CommandCodec;
import dev.d2r2.cluster.command.CommandResult;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.state.ControlState;
import dev.d2r2.cluster.tls.RaftTls;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.LogInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.ExceptionDependentRetry;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Talks to a cluster's replicas: submits {@link ControlCommand}s (to the leader, following it
 * through elections), reads each replica's state, reports {@link ClusterStatus} and changes
 * membership in-band. Starts from the cluster file's replicas and learns the current members
 * from whichever replica answers.
 */
public final class ClusterClient implements AutoCloseable {
    private final RaftGroupId groupId;
    private final List<RaftPeer> seeds;
    private final RaftClient io;
    private final Duration probeTimeout;
    private final RaftTls tls;

    /**
     * @param patience how long a submission keeps retrying while there is no leader
     * @param probeTimeout how long one replica has to answer a status or state read
     * @param tls how to reach the replicas: plain, or mutual TLS with this client's key file
     */
    public ClusterClient(ClusterFile cluster, RaftTls tls, Duration patience, Duration probeTimeout) {
        this.groupId = RaftGroupId.valueOf(cluster.groupUuid());
        this.seeds = ClusterNode.peers(cluster.replicas());
        this.tls = tls;
        RaftGroup group = RaftGroup.valueOf(groupId, seeds);
        this.io = RaftClient.newBuilder().setRaftGroup(group).setProperties(properties(Duration.ofSeconds(3)))
                .setParameters(tls.parameters()).setRetryPolicy(retryUntilLeader(patience)).build();
        this.probeTimeout = probeTimeout;
    }

    public ClusterClient(ClusterFile cluster, RaftTls tls) {
        this(cluster, tls, Duration.ofSeconds(15), Duration.ofSeconds(2));
    }

    /**
     * Retries while there is no leader (elections, a leader that moved) for up to {@code patience};
     * a refusal by the state machine is final at once.
     */
    private static RetryPolicy retryUntilLeader(Duration patience) {
        long sleepMs = 100;
        int attempts = (int) Math.max(1, patience.toMillis() / sleepMs);
        return ExceptionDependentRetry.newBuilder()
                .setDefaultPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
                        TimeDuration.valueOf(sleepMs, TimeUnit.MILLISECONDS)))
                .setExceptionToPolicy(StateMachineException.class, RetryPolicies.noRetry())
                .setMaxAttempts(attempts)
                .build();
    }

    private static RaftProperties properties(Duration requestTimeout) {
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(requestTimeout.toMillis(), TimeUnit.MILLISECONDS));
        return p;
    }

    /** Commits {@code command} and returns what applying it did (the same on every replica). */
    public CommandResult submit(ControlCommand command) throws IOException {
        return submitBytes(CommandCodec.encode(command));
    }

    /** Submits raw log-entry bytes: malformed ones come back as an {@link IOException} saying why. */
    public CommandResult submitBytes(byte[] bytes) throws IOException {
        RaftClientReply reply;
        try {
            reply = io.io().send(Message.valueOf(ByteString.copyFrom(bytes)));
        } catch (IOException e) {
            throw refusal(e);
        }
        return CommandResult.decode(content(reply));
    }

    /**
     * Appends raw log-entry bytes without waiting: the future completes once the entry is
     * committed (or fails when no leader took it within the patience). Entries sent by one
     * client are committed, and their futures completed, in the order they were sent.
     */
    public CompletableFuture<Void> appendAsync(byte[] entry) {
        return io.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry))).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new CompletionException(reply.getException() != null ? reply.getException()
                        : new IOException("request failed: " + reply));
            }
            return null;
        });
    }

    /** A refusal by the state machine, with its own reason rather than Ratis' wrapping of it. */
    private static IOException refusal(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StateMachineException sme) {
                Throwable reason = sme.getCause() != null ? sme.getCause() : sme;
                return new IOException("refused: " + reason.getMessage(), e);
            }
        }
        return e;
    }

    /**
     * How far the leader has applied the log: every submission that returned is at or below it.
     * Read through the leader, following it through elections like a submission.
     */
    public long leaderAppliedIndex() throws IOException {
        return ReplicaSummary.decode(content(io.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(ControlQuery.SUMMARY.encode())))))
                .appliedIndex();
    }

    /** What replica {@code name} has applied, read from it alone (not through the leader). */
    public ReplicaSummary summary(String name) throws IOException {
        return ReplicaSummary.decode(read(ControlQuery.SUMMARY, name));
    }

    /** Replica {@code name}'s whole control state. */
    public ControlState state(String name) throws IOException {
        return ControlState.decode(read(ControlQuery.TABLE, name));
    }

    private byte[] read(ControlQuery q, String name) throws IOException {
        RaftPeer peer = peer(name);
        try (RaftClient probe = probe(peer)) {
            return read(probe, q, peer);
        }
    }

    private static byte[] read(RaftClient probe, ControlQuery q, RaftPeer peer) throws IOException {
        try {
            return content(probe.io().sendStaleRead(Message.valueOf(ByteString.copyFrom(q.encode())), 0, peer.getId()));
        } catch (RuntimeException e) {
            throw unanswered(peer, e);
        }
    }

    private GroupInfoReply info(RaftClient probe, RaftPeer peer) throws IOException {
        try {
            return probe.getGroupManagementApi(peer.getId()).info(groupId);
        } catch (RuntimeException e) {
            throw unanswered(peer, e);
        }
    }

    /** Ratis' gRPC transport reports a deadline or a refused connection unchecked. */
    private static IOException unanswered(RaftPeer peer, RuntimeException e) {
        return new IOException("replica " + peer.getId() + " at " + peer.getAddress() + " did not answer: " + e.getMessage(), e);
    }

    private static byte[] content(RaftClientReply reply) throws IOException {
        if (!reply.isSuccess()) {
            throw reply.getException() != null ? reply.getException() : new IOException("request failed: " + reply);
        }
        return reply.getMessage().getContent().toByteArray();
    }

    /** The member (or, failing that, the replica of the cluster file) called {@code name}. */
    private RaftPeer peer(String name) throws IOException {
        return Stream.concat(members().stream(), seeds.stream())
                .filter(p -> p.getId().toString().equals(name)).findFirst()
                .orElseThrow(() -> new IOException("no replica " + name + " in the cluster"));
    }

    /** A client that asks one replica, once. */
    private RaftClient probe(RaftPeer peer) {
        return RaftClient.newBuilder().setRaftGroup(RaftGroup.valueOf(groupId, peer))
                .setProperties(properties(probeTimeout)).setParameters(tls.parameters())
                .setRetryPolicy(RetryPolicies.noRetry()).build();
    }

    /**
     * The current members, as the leader knows them (or, with no leader, the first replica that
     * answers: a removed replica still knows the members it was removed from).
     */
    public List<RaftPeer> members() throws IOException {
        IOException last = null;
        List<RaftPeer> first = null;
        for (RaftPeer p : seeds) {
            try (RaftClient probe = probe(p)) {
                GroupInfoReply info = info(probe, p);
                List<RaftPeer> peers = List.copyOf(info.getGroup().getPeers());
                if (info.getRoleInfoProto().getRole() == RaftPeerRole.LEADER) {
                    return peers;
                }
                first = first == null ? peers : first;
            } catch (IOException e) {
                last = e;
            }
        }
        if (first != null) {
            return first;
        }
        throw new IOException("no replica of the cluster answers" + (last == null ? "" : ": " + last.getMessage()), last);
    }

    public ClusterStatus status() throws IOException {
        List<PeerStatus> peers = new ArrayList<>();
        Optional<String> leader = Optional.empty();
        long leaderCommit = -1;
        List<RaftPeer> members = new ArrayList<>(members());
        members.sort(java.util.Comparator.comparing(p -> p.getId().toString()));
        for (RaftPeer p : members) {
            PeerStatus s = peerStatus(p);
            peers.add(s);
            if (s.role().equals(RaftPeerRole.LEADER.name())) {
                leader = Optional.of(s.name());
            } else if (leader.isEmpty() && !s.leader().isEmpty()) {
                leader = Optional.of(s.leader());
            }
            leaderCommit = Math.max(leaderCommit, s.committedIndex());
        }
        long commit = leaderCommit;
        return new ClusterStatus(leader, peers.stream().map(s -> s.withLag(commit)).toList());
    }

    private PeerStatus peerStatus(RaftPeer p) {
        String name = p.getId().toString();
        try (RaftClient probe = probe(p)) {
            GroupInfoReply info = info(probe, p);
            RoleInfoProto role = info.getRoleInfoProto();
            LogInfoProto log = info.getLogInfoProto();
            String leader = role.getRole() == RaftPeerRole.LEADER ? name
                    : role.hasFollowerInfo() ? role.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8() : "";
            String digest;
            try {
                digest = ReplicaSummary.decode(read(probe, ControlQuery.SUMMARY, p)).digest();
            } catch (IOException e) {
                digest = "";
            }
            return new PeerStatus(name, p.getAddress(), role.getRole().name(), leader,
                    log.hasCommitted() ? log.getCommitted().getIndex() : -1,
                    log.hasApplied() ? log.getApplied().getIndex() : -1,
                    log.hasLastEntry() ? log.getLastEntry().getIndex() : -1, 0, digest);
        } catch (IOException e) {
            return PeerStatus.unreachable(name, p.getAddress());
        }
    }

    /** Adds replica {@code name} listening on {@code address}; it must be running already (as a newcomer). */
    public void add(String name, String address) throws IOException {
        List<RaftPeer> now = members();
        if (now.stream().anyMatch(p -> p.getId().toString().equals(name))) {
            throw new IOException("replica " + name + " is already a member");
        }
        List<RaftPeer> next = new ArrayList<>(now);
        next.add(ClusterNode.peer(name, address));
        setConfiguration(next);
    }

    /** Removes replica {@code name} from the members (its process keeps running until stopped). */
    public void remove(String name) throws IOException {
        List<RaftPeer> now = members();
        List<RaftPeer> next = now.stream().filter(p -> !p.getId().toString().equals(name)).toList();
        if (next.size() == now.size()) {
            throw new IOException("replica " + name + " is not a member");
        }
        if (next.isEmpty()) {
            throw new IOException("cannot remove the last replica");
        }
        setConfiguration(next);
    }

    private void setConfiguration(List<RaftPeer> peers) throws IOException {
        RaftClientReply reply = io.admin().setConfiguration(peers);
        if (!reply.isSuccess()) {
            throw reply.getException() != null ? reply.getException() : new IOException("membership change failed");
        }
    }

    @Override
    public void close() throws IOException {
        io.close();
    }
}
