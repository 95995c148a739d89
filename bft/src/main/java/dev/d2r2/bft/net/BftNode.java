package dev.d2r2.bft.net;

import dev.d2r2.bft.Block;
import dev.d2r2.bft.Checkpoint;
import dev.d2r2.bft.Codec;
import dev.d2r2.bft.CodecLimits;
import dev.d2r2.bft.Committee;
import dev.d2r2.bft.Msg;
import dev.d2r2.bft.Outbox;
import dev.d2r2.bft.Progress;
import dev.d2r2.bft.Rejection;
import dev.d2r2.bft.Ed25519Signatures;
import dev.d2r2.bft.ReplicaConfig;
import dev.d2r2.bft.SafetyState;
import dev.d2r2.bft.Signatures;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.Replica;
import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One HotStuff replica as a process's single-threaded agent: the {@link Replica} state machine,
 * its TCP links to the other replicas ({@link PeerLinks}, every frame signed), its view timer,
 * and its clients' commands. Commands submitted here are forwarded to the current leader, those
 * that arrived together in one message; decided blocks come out through {@link Decisions}, on
 * the agent's thread, once each and in height order.
 */
public final class BftNode implements Agent, Outbox, AutoCloseable {
    /** Receives the decided blocks, in height order from 1, on the node's thread. */
    @FunctionalInterface
    public interface Decisions {
        /** {@code commands}: the block's commands decided for the first time, as submitted. */
        void decided(Block block, List<byte[]> commands);
    }

    /**
     * An application whose state outlives the process and can be handed to a replica that fell
     * behind. With a safety file, the node writes its {@link Progress} beside it after each block
     * the application took, and a restarted node resumes from it and {@link #appliedHeight}: no
     * block delivered twice, none skipped. A replica further behind than its peers keep blocks
     * installs a checkpoint through {@link #install}. A plain {@link Decisions} is taken to keep
     * state it cannot hand over: after a restart it gets the chain again from height 1, and a
     * replica too far behind stays there (no checkpoint can be installed for it).
     */
    public interface Application extends Decisions {
        /**
         * The height of the last decided block whose effects are durable, read once when the node
         * is made; 0 when nothing is kept. Once {@link #decided} returns, the block's effects must
         * be durable, or this must report the height they reached.
         */
        long appliedHeight();

        /** The state after the last block taken, encoded deterministically (the same bytes on every correct replica). */
        byte[] snapshot();

        /** Replaces the whole state by {@code state}, a certified snapshot taken after block {@code height}. */
        void install(long height, byte[] state);
    }

    /**
     * @param baseTimeout a view's first timeout; it doubles with each view that fails in a row (up to 64 times)
     * @param safetyFile  where the replica keeps its votes and lock across restarts ({@link SafetyFile}),
     *                    and beside it, for an {@link Application}, its progress ({@link ProgressFile});
     *                    null keeps them in memory only, for tests and benchmarks
     */
    public record Settings(Duration baseTimeout, ReplicaConfig replica, CodecLimits limits, Path safetyFile) {
        public static final Settings DEFAULTS = new Settings(Duration.ofMillis(1000), ReplicaConfig.DEFAULTS,
                CodecLimits.DEFAULTS);

        public Settings(Duration baseTimeout, ReplicaConfig replica, CodecLimits limits) {
            this(baseTimeout, replica, limits, null);
        }

        public Settings withSafetyFile(Path file) {
            return new Settings(baseTimeout, replica, limits, file);
        }
    }

    /** What a node has done, read on its thread. */
    public record Status(long view, long height, int pending, Map<Rejection, Long> rejections, long badFrames,
                         long droppedFrames, long refusedCommands, long installedCheckpoints) {
    }

    private record Inbound(int from, Msg msg) {
    }

    /** Commands wait in {@link #commands}: the agent takes all that arrived since its last look. */
    private enum CommandsReady { TOKEN }

    private static final int MAX_QUEUED_COMMANDS = 1 << 16;

    private record StatusRequest(CompletableFuture<Status> answer) {
    }

    private final int id;
    private final Settings settings;
    private final Codec codec;
    private final int n;
    private final LinkAuth auth;
    private final Decisions decisions;
    /** The decisions' receiver when it is an {@link Application}, else null. */
    private final Application application;
    private final dev.d2r2.bft.Replica replica;
    private final AgentRunner runner;
    private final PeerLinks links;
    private final SafetyFile safety;
    private final ProgressFile progress;
    private final ConcurrentLinkedQueue<byte[]> commands = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedCommands = new AtomicInteger();
    private final AtomicBoolean commandsSignalled = new AtomicBoolean();
    private long timerView = -1;
    private long timerDue = Long.MAX_VALUE;
    private long refusedCommands;

    /**
     * @param addresses every replica's listening address, by replica number
     * @param signatures this replica's key and every member's, for its own thread
     * @param verifiers a fresh {@link Signatures} per connection reader thread
     * @param faults wraps the node's outbox: the identity in production; tests put a lying replica here
     */
    public BftNode(int id, List<InetSocketAddress> addresses, Signatures signatures, Supplier<Signatures> verifiers,
                   Settings settings, Decisions decisions, UnaryOperator<Outbox> faults) throws IOException {
        this.id = id;
        this.settings = settings;
        this.codec = new Codec(settings.limits());
        this.n = addresses.size();
        this.auth = new LinkAuth(signatures);
        this.decisions = decisions;
        this.application = decisions instanceof Application a ? a : null;
        this.replica = new dev.d2r2.bft.Replica(id, new Committee(addresses.size()), signatures, faults.apply(this), settings.replica());
        this.safety = settings.safetyFile() == null ? null : new SafetyFile(settings.safetyFile());
        this.progress = safety == null || application == null ? null
                : new ProgressFile(ProgressFile.beside(settings.safetyFile()));
        replica.resume(progress == null ? null : progress.load(), application == null ? 0 : application.appliedHeight());
        SafetyState restored = safety == null ? null : safety.load();
        if (restored != null) {
            replica.restore(restored);
        } else if (safety != null) {
            // Now rather than at the first vote: a file that cannot be written stops the start.
            safety.save(replica.safetyState());
        }
        this.runner = new AgentRunner(this, 1 << 16, Clock.system());
        this.links = new PeerLinks(id, addresses, verifiers, settings.limits(),
                (from, msg) -> runner.submit(new Inbound(from, msg)));
    }

    /**
     * The node named {@code name} in a cluster file of n = 3f + 1 replicas: each replica's address
     * is where it listens for its peers, and its public key checks its frames and votes.
     * {@code key} is this replica's private key, the pair of its public key in the file.
     */
    public static BftNode open(ClusterFile cluster, String name, PrivateKey key, Settings settings, Decisions decisions,
                               UnaryOperator<Outbox> faults) throws IOException {
        List<Replica> replicas = cluster.replicas();
        if (replicas.size() != 3 * cluster.f() + 1) {
            throw new IllegalArgumentException("a Byzantine cluster has n = 3f + 1 replicas: f = " + cluster.f()
                    + " needs " + (3 * cluster.f() + 1) + ", the file lists " + replicas.size());
        }
        int id = -1;
        for (int i = 0; i < replicas.size(); i++) {
            if (replicas.get(i).name().equals(name)) {
                id = i;
            }
        }
        if (id < 0) {
            throw new IllegalArgumentException("replica " + name + " is not in the cluster file");
        }
        List<PublicKey> keys = replicas.stream().map(Replica::signingKey).toList();
        List<InetSocketAddress> addresses = replicas.stream().map(Replica::socketAddress).toList();
        return new BftNode(id, addresses, new Ed25519Signatures(key, keys), () -> new Ed25519Signatures(key, keys),
                settings, decisions, faults);
    }

    /** Where replica {@code name} of {@code clusterFile} keeps its votes and lock unless told otherwise. */
    public static Path defaultSafetyFile(Path clusterFile, String name) {
        return clusterFile.toAbsolutePath().resolveSibling(name + ".bft-state");
    }

    /** Starts the node's thread and enters view 1. */
    public BftNode start() {
        runner.start();
        return this;
    }

    /** Queues a client command; false if the node's queue is full (the caller may retry). */
    public boolean submit(byte[] command) {
        if (queuedCommands.incrementAndGet() > MAX_QUEUED_COMMANDS) {
            queuedCommands.decrementAndGet();
            return false;
        }
        commands.add(command);
        if (!commandsSignalled.getAndSet(true) && !runner.offer(CommandsReady.TOKEN)) {
            // The inbox is full: the next submit signals again, and the timer looks meanwhile.
            commandsSignalled.set(false);
        }
        return true;
    }

    private void takeCommands() {
        commandsSignalled.set(false);
        List<byte[]> batch = new ArrayList<>();
        for (byte[] c; (c = commands.poll()) != null; ) {
            batch.add(c);
        }
        if (batch.isEmpty()) {
            return;
        }
        queuedCommands.addAndGet(-batch.size());
        refusedCommands += batch.size() - replica.submitAll(batch);
    }

    /** The node's counters, read on its thread. */
    public Status status(Duration timeout) throws Exception {
        CompletableFuture<Status> f = new CompletableFuture<>();
        runner.submit(new StatusRequest(f));
        return f.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public int id() {
        return id;
    }

    @Override
    public String roleName() {
        return "bft-node-" + id;
    }

    @Override
    public void onStart() {
        replica.start();
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Inbound in -> replica.onMessage(in.from(), in.msg());
            case CommandsReady r -> takeCommands();
            case StatusRequest r -> r.answer().complete(status());
            default -> throw new IllegalArgumentException("unexpected " + message.getClass().getSimpleName());
        }
    }

    private Status status() {
        Map<Rejection, Long> rejections = new EnumMap<>(Rejection.class);
        for (Rejection r : Rejection.values()) {
            if (replica.rejections(r) > 0) {
                rejections.put(r, replica.rejections(r));
            }
        }
        return new Status(replica.view(), replica.decidedHeight(), replica.ownCommands(), rejections,
                links.badFrames(), links.droppedFrames(), refusedCommands, replica.installedCheckpoints());
    }

    @Override
    public long nextDueMillis() {
        return timerDue;
    }

    @Override
    public void onTimer(long nowMillis) {
        timerDue = Long.MAX_VALUE;
        takeCommands();
        replica.onTimeout(timerView);
    }

    @Override
    public void send(int to, Msg msg) {
        links.send(to, auth.frame(id, codec.encode(msg)));
    }

    @Override
    public void broadcast(Msg msg) {
        byte[] frame = auth.frame(id, codec.encode(msg));
        for (int to = 0; to < n; to++) {
            if (to != id) {
                links.send(to, frame);
            }
        }
    }

    @Override
    public void deliver(Block block, List<byte[]> commands) {
        decisions.decided(block, commands);
        if (progress != null) {
            progress.save(replica.progress());
        }
    }

    @Override
    public byte[] snapshot() {
        return application == null ? new byte[0] : application.snapshot();
    }

    @Override
    public boolean install(Checkpoint checkpoint) {
        if (application == null) {
            return false;
        }
        application.install(checkpoint.height(), checkpoint.state());
        if (progress != null) {
            progress.save(new Progress(checkpoint.height(), checkpoint.block().hash(), checkpoint.applied()));
        }
        return true;
    }

    @Override
    public void persist(SafetyState state) {
        if (safety != null) {
            safety.save(state);
        }
    }

    @Override
    public void startTimer(long view, int failedViews) {
        timerView = view;
        timerDue = Clock.system().millis() + (settings.baseTimeout().toMillis() << Math.min(failedViews, 6));
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
        links.close();
    }
}
