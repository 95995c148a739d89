package dev.d2r2.app.demo;

import dev.d2r2.app.node.BrokerConfig;
import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.app.node.RemoteBrokerConfig;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.security.BrokerReplica;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.cluster.broker.ReplicatedBroker;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.Replica;
import dev.d2r2.cluster.tls.RaftTls;
import dev.d2r2.core.Clock;
import dev.d2r2.core.HostPort;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The demo's broker as a cluster of three replicas in its process (Raft by Apache Ratis, crash
 * faults, f = 1), each with its own data directory, client listener and Raft listener on the
 * loopback. The node's roles reach them as network clients of {@link #IDENTITY}, a cluster-wide
 * administrator whose identity file lists the three, the leader first; every client fails over on
 * its own. Channels that keep a log are {@code durability: replicated} here, so that every
 * replica holds them at the same offsets (a subscriber resumes on another replica by offset);
 * the others stay live on the replica that took them, where every client is.
 *
 * <p>{@link #kill} is the nearest in-process analogue of {@code kill -9}: the replica's Raft server
 * (with no hand-off of its leadership) and its listener (cutting its clients) are closed at once.
 */
final class BrokerReplicas implements AutoCloseable {
    /** The identity every demo client connects as, registered through the cluster's log. */
    static final String IDENTITY = "demo-ops";
    static final String IDENTITY_FILE = IDENTITY + ".identity";
    private static final int REPLICAS = 3;
    private static final Duration ELECTION_PATIENCE = Duration.ofSeconds(30);

    /** One replica's place: data, client listener. */
    private record Place(String name, Path data, InetSocketAddress listen) {
    }

    /** A running replica. */
    private record Running(Broker broker, ReplicatedBroker replica, BrokerServer server) {
    }

    /** A replica as the dashboard shows it: its Raft role, the last log index it applied, and whether it runs. */
    record Status(String name, String address, String role, long applied, boolean up) {
    }

    private final ClusterFile cluster;
    private final Map<String, Place> places = new LinkedHashMap<>();
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Map<String, Long> lastApplied = new LinkedHashMap<>();
    /** The identity file the clients read, and where. */
    private IdentityFile clients;
    private Path clientsFile;

    private BrokerReplicas(ClusterFile cluster, List<Place> places) {
        this.cluster = cluster;
        places.forEach(p -> this.places.put(p.name(), p));
    }

    /**
     * Starts the replicas: {@code b1} where {@code broker} says (its data, its listener), the others
     * beside it on free ports; waits for a leader.
     */
    static BrokerReplicas start(Path dir, BrokerConfig broker) throws IOException {
        quietRatis();
        List<Place> places = new ArrayList<>();
        List<Replica> members = new ArrayList<>();
        Path firstData = dir.resolve(broker.data());
        for (int i = 1; i <= REPLICAS; i++) {
            String name = "b" + i;
            Path data = i == 1 ? firstData : firstData.resolveSibling(firstData.getFileName() + "-" + name);
            InetSocketAddress listen = i == 1 ? HostPort.parse(broker.listen())
                    : new InetSocketAddress("127.0.0.1", Demo.freeTcpPort());
            places.add(new Place(name, data, listen));
            String key = Base64.getEncoder().encodeToString(Crypto.newSigningKeyPair().getPublic().getEncoded());
            members.add(new Replica(name, "127.0.0.1:" + Demo.freeTcpPort(), key));
        }
        BrokerReplicas r = new BrokerReplicas(new ClusterFile(null, (REPLICAS - 1) / 2, members), places);
        try {
            r.launchAll();
            r.awaitLeader();
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** Starts every replica, each on a thread of its own: most of a start is waiting (storage, listeners, TLS keys). */
    private void launchAll() throws IOException {
        List<IOException> failed = new ArrayList<>();
        List<Thread> starting = new ArrayList<>();
        for (String name : places.keySet()) {
            starting.add(Thread.ofPlatform().name("demo-start-" + name).start(() -> {
                try {
                    launch(name);
                } catch (IOException | RuntimeException e) {
                    synchronized (failed) {
                        failed.add(e instanceof IOException io ? io : new IOException("replica " + name + ": " + e.getMessage(), e));
                    }
                }
            }));
        }
        for (Thread t : starting) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the broker replicas started", e);
            }
        }
        if (!failed.isEmpty()) {
            throw failed.getFirst();
        }
    }

    /**
     * Ratis warns of every refused connection to the replica the demo kills on purpose, and of
     * every stream the kill cancels, and its client logs each request it retries during the
     * election as an error with its stack: dozens of lines that would bury the timeline. Its other
     * errors still show, and {@code D2R2_LOG_LEVEL} (the logging configuration's) keeps them all.
     */
    private static void quietRatis() {
        if (System.getenv("D2R2_LOG_LEVEL") != null) {
            return;
        }
        level("org.apache.ratis", ch.qos.logback.classic.Level.ERROR);
        level("org.apache.ratis.client.impl.OrderedAsync", ch.qos.logback.classic.Level.OFF);
    }

    private static void level(String logger, ch.qos.logback.classic.Level level) {
        if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(level);
        }
    }

    private void launch(String name) throws IOException {
        Place p = places.get(name);
        Broker broker = Broker.open(p.data(), Clock.system());
        ReplicatedBroker replica;
        try {
            replica = ReplicatedBroker.start(broker, cluster, name, null, RaftTls.PLAIN);
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw e;
        }
        BrokerServer server;
        try {
            server = BrokerServer.start(broker, p.listen());
        } catch (IOException | RuntimeException e) {
            replica.close();
            broker.close();
            throw e;
        }
        synchronized (running) {
            running.put(name, new Running(broker, replica, server));
        }
    }

    /** The leader, once the replicas elected one. */
    String awaitLeader() throws IOException {
        long deadline = System.nanoTime() + ELECTION_PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> leader = leader();
            if (leader.isPresent()) {
                return leader.get();
            }
            Demo.pause(20);
        }
        throw new IOException("the demo's broker replicas elected no leader within " + ELECTION_PATIENCE.toSeconds() + " s");
    }

    /** The running replica that leads, if any does now. */
    Optional<String> leader() {
        synchronized (running) {
            for (Map.Entry<String, Running> e : running.entrySet()) {
                try {
                    if (e.getValue().replica().node().isLeader()) {
                        return Optional.of(e.getKey());
                    }
                } catch (IOException | RuntimeException stopping) {
                    // not a leader we can use
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Registers {@link #IDENTITY} and declares the channels of {@code config}'s roles (those with
     * a log replicated) and {@code extra}, through the leader; writes the identity file into
     * {@code dir} with the replicas' addresses and certificates, the leader first, and returns
     * the node's configuration with {@code connect} to it instead of its {@code broker}.
     */
    NodeConfig bootstrap(Path dir, NodeConfig config, Map<String, ChannelClass> extra) throws IOException {
        String leader = awaitLeader();
        KeyPair keys = Crypto.newSigningKeyPair();
        byte[] secret;
        try (BrokerClient admin = running.get(leader).broker().connectLocal(Broker.ADMIN)) {
            secret = admin.register(IDENTITY, keys.getPublic(), true);
            Node.declareRoleChannels(admin, config, BrokerReplicas::replicatedWithALog);
            extra.forEach((tag, cls) -> admin.createChannel(new ChannelSpec(tag, replicatedWithALog(cls), Set.of(), Set.of())));
        }
        List<BrokerReplica> list = new ArrayList<>();
        list.add(certified(leader));
        for (String name : places.keySet()) {
            if (!name.equals(leader)) {
                list.add(certified(name));
            }
        }
        clients = new IdentityFile(IDENTITY, secret, keys.getPrivate(), keys.getPublic(), "", "", list);
        clientsFile = dir.resolve(IDENTITY_FILE);
        clients.save(clientsFile);
        return new NodeConfig(config.name(), null, new RemoteBrokerConfig(IDENTITY_FILE, null), config.monitor(),
                config.chronicles(), config.policy(), config.lb(), config.sipServers(), config.dashboard(), config.diagnosis());
    }

    /** A class with a log becomes replicated, its events made durable by the Raft log (forced by Ratis), not by the channel's fsync. */
    static ChannelClass replicatedWithALog(ChannelClass c) {
        return c.persistence() != Persistence.LOG ? c
                : c.withPersistence(Persistence.LOG, FsyncPolicy.NEVER).withDurability(Durability.REPLICATED);
    }

    /** The replica's address and the certificate its server wrote into its administrator's file. */
    private BrokerReplica certified(String name) throws IOException {
        IdentityFile admin = IdentityFile.load(running.get(name).broker().adminIdentityPath());
        InetSocketAddress at = running.get(name).server().address();
        return new BrokerReplica(at.getHostString() + ":" + at.getPort(), admin.brokerCertificatePem());
    }

    /**
     * Stops {@code name} abruptly: its Raft server (no leadership hand-off) and its listener at
     * once, then its broker. When the clients were on it (the first of their list), they fail over
     * to the next one; the identity file then lists that one first and {@code name} last, so that
     * a client connecting later joins them there (the live channels are the replica's own).
     */
    void kill(String name) throws IOException {
        List<BrokerReplica> order = clients == null ? List.of() : clients.replicas();
        if (!order.isEmpty() && order.getFirst().address().equals(address(places.get(name)))) {
            List<BrokerReplica> next = new ArrayList<>(order.subList(1, order.size()));
            next.add(order.getFirst());
            clients = clients.withReplicas(next);
            clients.save(clientsFile);
        }
        Running r;
        synchronized (running) {
            lastApplied.put(name, running.get(name).replica().bridge().appliedIndex());
            r = running.remove(name);
        }
        // both at once, as a kill -9 would: the clients' failover and the election start together
        Thread raft = Thread.ofPlatform().name("demo-kill-" + name).start(() -> quietly(() -> r.replica().node().close()));
        quietly(r.server()::close);
        try {
            raft.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        quietly(r.replica()::close);
        quietly(r.broker()::close);
    }

    /** Starts {@code name} again on its data and addresses: it catches up from the leader by itself. */
    void restart(String name) throws IOException {
        launch(name);
    }

    /** Each replica now, in name order. */
    List<Status> status() {
        List<Status> out = new ArrayList<>();
        synchronized (running) {
            for (Place p : places.values()) {
                Running r = running.get(p.name());
                String address = address(p);
                if (r == null) {
                    out.add(new Status(p.name(), address, "down", lastApplied.getOrDefault(p.name(), -1L), false));
                    continue;
                }
                boolean leads;
                try {
                    leads = r.replica().node().isLeader();
                } catch (IOException | RuntimeException e) {
                    leads = false;
                }
                out.add(new Status(p.name(), address, leads ? "leader" : "follower", r.replica().bridge().appliedIndex(), true));
            }
        }
        return out;
    }

    /**
     * How many of the events {@code 1..upTo} a witness published on {@code tag} (each payload its
     * number) are missing from the log of the running replica that misses most; each replica is
     * read from its first offset until it has them all, or {@code patience} passed (a replica
     * restarted a moment ago may still be catching up).
     */
    long missing(String tag, long upTo, Duration patience) {
        long worst = 0;
        List<Running> replicas;
        synchronized (running) {
            replicas = List.copyOf(running.values());
        }
        for (Running r : replicas) {
            BitSet seen = new BitSet();
            long deadline = System.nanoTime() + patience.toNanos();
            try (BrokerClient c = r.broker().connectLocal(Broker.ADMIN);
                 Subscription s = c.subscribe(tag, StartPosition.fromOffset(0), d -> {
                     long n = ByteBuffer.wrap(d.payload()).getLong();
                     if (n >= 1 && n <= upTo) {
                         synchronized (seen) {
                             seen.set((int) n);
                         }
                     }
                 })) {
                while (System.nanoTime() < deadline && count(seen) < upTo) {
                    Demo.pause(20);
                }
            }
            worst = Math.max(worst, upTo - count(seen));
        }
        return worst;
    }

    private static long count(BitSet seen) {
        synchronized (seen) {
            return seen.cardinality();
        }
    }

    private static String address(Place p) {
        return p.listen().getHostString() + ":" + p.listen().getPort();
    }

    /** One line per replica, for the demo's start. */
    List<String> describe() {
        return status().stream().map(s -> "broker replica " + s.name() + " on " + s.address() + " (TLS), " + s.role()).toList();
    }

    @Override
    public void close() {
        List<String> names;
        synchronized (running) {
            names = List.copyOf(running.keySet());
        }
        for (String name : names.reversed()) {
            Running r;
            synchronized (running) {
                r = running.remove(name);
            }
            quietly(r.server()::close);
            quietly(r.replica()::close);
            quietly(r.broker()::close);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            System.err.println("demo: stopping a broker replica: " + e);
        }
    }
}
