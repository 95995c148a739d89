package dev.d2r2.cluster.raft;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.ClusterTls;
import dev.d2r2.cluster.config.Replica;
import dev.d2r2.cluster.tls.ClusterCa;
import dev.d2r2.cluster.tls.RaftTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Real Ratis replicas in this JVM over loopback gRPC, each with its own storage under {@code dir};
 * over mutual TLS when made by {@link #withTls}, with a cluster CA and key files in {@code dir}.
 */
final class TestCluster implements AutoCloseable {
    final ClusterFile file;
    final RaftSettings settings;
    private final Path dir;
    private final Map<String, ClusterNode> running = new LinkedHashMap<>();
    private final ClusterCa ca;

    TestCluster(Path dir, int replicas, RaftSettings settings) throws IOException {
        this(dir, replicas, settings, false);
    }

    static TestCluster withTls(Path dir, int replicas, RaftSettings settings) throws IOException {
        return new TestCluster(dir, replicas, settings, true);
    }

    private TestCluster(Path dir, int replicas, RaftSettings settings, boolean tls) throws IOException {
        this.dir = dir;
        this.settings = settings;
        List<Replica> list = new ArrayList<>();
        for (int i = 1; i <= replicas; i++) {
            list.add(replica("r" + i));
        }
        String group = "test-" + dir.getFileName();
        this.ca = tls ? ClusterCa.loadOrCreate(dir, group, Duration.ofDays(1)) : null;
        this.file = new ClusterFile(group, (replicas - 1) / 2, list,
                tls ? new ClusterTls(ca.certificateFile().toString()) : null);
        for (Replica r : list) {
            issue(r.name(), Optional.of("127.0.0.1"));
            start(r.name());
        }
        issue("client", Optional.empty());
    }

    /** Issues {@code name}'s key file from the cluster's CA (nothing when plain). */
    void issue(String name, Optional<String> host) throws IOException {
        if (ca != null) {
            ca.issue(name, host, Duration.ofDays(1));
        }
    }

    /** {@code name}'s Raft TLS (plain when the cluster is). */
    RaftTls tls(String name) throws IOException {
        return RaftTls.load(file, dir.resolve(name + RaftTls.KEY_FILE_SUFFIX));
    }

    RaftTls clientTls() throws IOException {
        return tls("client");
    }

    static Replica replica(String name) {
        return new Replica(name, "127.0.0.1:" + freePort(),
                Base64.getEncoder().encodeToString(Crypto.newSigningKeyPair().getPublic().getEncoded()));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts (or restarts, on its old storage) a replica the file lists. */
    void start(String name) throws IOException {
        running.put(name, ClusterNode.start(file, name, dir.resolve(name), settings, tls(name), CommittedCommands.NONE));
    }

    /** Starts a replica the file does not list, waiting to be added. */
    ClusterNode startNewcomer(Replica r, CommittedCommands listener) throws IOException {
        issue(r.name(), Optional.of(r.socketAddress().getHostString()));
        return startNewcomer(r, tls(r.name()), listener);
    }

    /** Starts a replica the file does not list, with Raft TLS of its own. */
    ClusterNode startNewcomer(Replica r, RaftTls tls, CommittedCommands listener) throws IOException {
        ClusterNode n = ClusterNode.start(file, r.name(), r.socketAddress(), dir.resolve(r.name()), settings, tls, listener);
        running.put(r.name(), n);
        return n;
    }

    void stop(String name) throws IOException {
        running.remove(name).close();
    }

    ClusterNode node(String name) {
        return running.get(name);
    }

    List<String> runningNames() {
        return List.copyOf(running.keySet());
    }

    /** The running replica that is leader, once there is one. */
    String leaderAwaited() {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(this::leader,
                java.util.Objects::nonNull);
    }

    private String leader() throws IOException {
        for (ClusterNode n : running.values()) {
            if (n.isLeader()) {
                return n.id();
            }
        }
        return null;
    }

    /** The digests of the running replicas, each read from the replica itself. */
    List<String> digests() {
        return running.values().stream().map(n -> n.summary().digest()).toList();
    }

    List<Long> appliedIndexes() {
        return running.values().stream().map(n -> n.summary().appliedIndex()).toList();
    }

    InetSocketAddress address(String name) {
        return file.replica(name).orElseThrow().socketAddress();
    }

    @Override
    public void close() throws IOException {
        for (ClusterNode n : running.values()) {
            n.close();
        }
        running.clear();
    }
}
