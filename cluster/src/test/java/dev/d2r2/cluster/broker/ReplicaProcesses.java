package dev.d2r2.cluster.broker;

import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.tls.ClusterCa;
import dev.d2r2.cluster.tls.RaftTls;
import dev.d2r2.core.testing.MadeOnce;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Broker replicas of one cluster, one JVM each ({@link ReplicaProcess}), with data under {@code dir};
 * with Raft over mutual TLS, the cluster CA and every key file are in {@code dir} too. By default
 * they all run on 127.0.0.1; a {@link Placement} puts each at an address of its own, its process
 * started through a command prefix (say {@code ip netns exec NS}).
 */
final class ReplicaProcesses implements AutoCloseable {
    final Path clusterFile;
    final ClusterFile cluster;
    final List<String> names;
    private final Path dir;
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, List<String>> caughtUp = new LinkedHashMap<>();
    private final Placement placement;

    /** Where replica {@code i} (1..n) runs: its Raft address, and what its launch command starts with. */
    interface Placement {
        String raftAddress(int i);

        List<String> launcher(int i);

        Placement LOOPBACK = new Placement() {
            @Override
            public String raftAddress(int i) {
                return "127.0.0.1:" + freePort();
            }

            @Override
            public List<String> launcher(int i) {
                return List.of();
            }
        };
    }

    ReplicaProcesses(Path dir, int replicas) throws IOException, dev.d2r2.core.config.ConfigException {
        this(dir, replicas, false);
    }

    ReplicaProcesses(Path dir, int replicas, boolean raftTls) throws IOException, dev.d2r2.core.config.ConfigException {
        this(dir, replicas, raftTls, Placement.LOOPBACK);
    }

    ReplicaProcesses(Path dir, int replicas, boolean raftTls, Placement placement)
            throws IOException, dev.d2r2.core.config.ConfigException {
        this.dir = dir;
        this.placement = placement;
        StringBuilder yaml = new StringBuilder("group: cft-" + dir.getFileName() + "\nf: " + (replicas - 1) / 2
                + "\nreplicas:\n");
        List<String> list = new java.util.ArrayList<>();
        for (int i = 1; i <= replicas; i++) {
            String name = "b" + i;
            list.add(name);
            yaml.append("  - name: ").append(name).append("\n    address: ").append(placement.raftAddress(i))
                    .append("\n    publicKey: ").append(Base64.getEncoder().encodeToString(
                            Crypto.newSigningKeyPair().getPublic().getEncoded())).append('\n');
        }
        this.names = List.copyOf(list);
        if (raftTls) {
            ClusterCa ca = ClusterCa.loadOrCreate(dir, "cft", Duration.ofDays(1));
            for (String name : names) {
                ca.issue(name, Optional.of("127.0.0.1"), Duration.ofDays(1));
            }
            ca.issue("client", Optional.empty(), Duration.ofDays(1));
            yaml.append("tls:\n  ca: ").append(ClusterCa.CERTIFICATE_FILE).append('\n');
        }
        this.clusterFile = dir.resolve("cluster.yaml");
        Files.writeString(clusterFile, yaml);
        this.cluster = ClusterFile.load(clusterFile);
        for (String name : names) {
            launch(name);
        }
        for (String name : names) {
            awaitPort(name);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch(String name) throws IOException {
        launch(name, List.of());
    }

    /** A new replica's data directory is given the test JVM's broker TLS key store, so that it does not run keytool. */
    private void launch(String name, List<String> more) throws IOException {
        MadeOnce.copyInto(dir.resolve(name), "broker-tls", TlsMaterial::loadOrCreate);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(placement.launcher(names.indexOf(name) + 1));
        command.addAll(List.of(java.toString(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                ReplicaProcess.class.getName(), dir.resolve(name).toString(), clusterFile.toString(), name));
        command.addAll(more);
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
        running.put(name, p);
    }

    private void awaitPort(String name) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(running.get(name).getInputStream()));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("CAUGHT-UP ")) {
                caughtUp.computeIfAbsent(name, n -> new java.util.ArrayList<>()).add(line);
            }
            if (line.startsWith("PORT ")) {
                ports.put(name, Integer.parseInt(line.substring(5).strip()));
                return;
            }
        }
        throw new IOException("replica " + name + " ended before it listened; see " + dir.resolve(name + ".log"));
    }

    /** The Raft TLS of a client of the cluster (plain when the replicas speak plain text). */
    RaftTls clientTls() throws IOException {
        return RaftTls.load(cluster, RaftTls.defaultKeyFile(clusterFile, "client"));
    }

    /** Starts a replica again on its old data. */
    void restart(String name) throws IOException {
        launch(name);
        awaitPort(name);
    }

    /**
     * Starts a stopped replica again on its old data and port, forwarding to the replicas the
     * administrator identity files {@code forwardTo} name, after catching up from them.
     */
    void restartForwarding(String name, List<Path> forwardTo) throws IOException {
        List<String> more = new java.util.ArrayList<>(List.of(Integer.toString(ports.get(name))));
        forwardTo.forEach(f -> more.add(f.toString()));
        caughtUp.remove(name);
        launch(name, more);
        awaitPort(name);
    }

    /** The {@code CAUGHT-UP tag taken missing} lines a replica printed when it started forwarding. */
    List<String> caughtUp(String name) {
        return caughtUp.getOrDefault(name, List.of());
    }

    /** {@code kill -9}. */
    void kill(String name) throws InterruptedException {
        running.remove(name).destroyForcibly().waitFor();
    }

    void signal(String name, String signal) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + signal, Long.toString(running.get(name).pid())).start().waitFor();
        if (rc != 0) {
            throw new IOException("kill -" + signal + " " + name + " failed");
        }
    }

    boolean isRunning(String name) {
        return running.containsKey(name);
    }

    /** The replica's own bootstrap administrator, pointing at it. */
    IdentityFile admin(String name) throws IOException {
        return IdentityFile.load(dir.resolve(name).resolve("admin.identity"));
    }

    /** {@code name}'s credentials (registered anywhere in the cluster), pointing at replica {@code at}. */
    IdentityFile as(String name, byte[] secret, String at) throws IOException {
        IdentityFile a = admin(at);
        return new IdentityFile(name, secret, a.signingKey(), a.publicKey(), a.broker(), a.brokerCertificatePem());
    }

    InetSocketAddress address(String name) {
        return new InetSocketAddress("127.0.0.1", ports.get(name));
    }

    RemoteBrokerClient connect(IdentityFile id, String at) throws IOException {
        return RemoteBrokerClient.connect(id, address(at));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : running.values()) {
            p.destroyForcibly().waitFor();
        }
        running.clear();
    }
}
