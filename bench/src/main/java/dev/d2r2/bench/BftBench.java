package dev.d2r2.bench;

import dev.d2r2.bft.Block;
import dev.d2r2.bft.Codec;
import dev.d2r2.bft.CodecLimits;
import dev.d2r2.bft.Committee;
import dev.d2r2.bft.Ed25519Signatures;
import dev.d2r2.bft.MalformedMessageException;
import dev.d2r2.bft.Msg;
import dev.d2r2.bft.Checkpoint;
import dev.d2r2.bft.Outbox;
import dev.d2r2.bft.Rejection;
import dev.d2r2.bft.Replica;
import dev.d2r2.bft.ReplicaConfig;
import dev.d2r2.bft.SafetyState;
import dev.d2r2.bft.Signatures;
import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Basic HotStuff ordering throughput: n in-process replicas (f = (n − 1) / 3), each on its own
 * thread (an {@link AgentRunner}), exchanging encoded messages through their inboxes, with real
 * Ed25519 certificates (the JDK's, or Bouncy Castle's with {@code --crypto bouncycastle}) and
 * batching. Each replica is the entry point of an equal share of the commands (1 KiB by
 * default), which it generates as its queue drains; the figure is decided commands per second
 * at the slowest replica, from the first command to the last decision.
 */
@Command(name = "bft-bench", mixinStandardHelpOptions = true)
public final class BftBench implements Callable<Integer> {
    @Option(names = "--replicas", defaultValue = "4") int replicas;
    @Option(names = "--commands", defaultValue = "200000", description = "Commands in all") long commands;
    @Option(names = "--size", defaultValue = "1024", description = "Bytes per command") int size;
    @Option(names = "--batch", defaultValue = "1000", description = "Commands per block") int batch;
    @Option(names = "--timeout-ms", defaultValue = "500", description = "A view's first timeout") long timeoutMs;
    @Option(names = "--seconds", defaultValue = "120", description = "Gives up after this long") long seconds;
    @Option(names = "--crypto", defaultValue = "jdk", description = "Ed25519 implementation: ${COMPLETION-CANDIDATES}")
    Crypto crypto;

    enum Crypto { jdk, bouncycastle }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BftBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Committee committee = new Committee(replicas);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        List<KeyPair> keys = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            keys.add(generator.generateKeyPair());
        }
        List<PublicKey> publicKeys = keys.stream().map(KeyPair::getPublic).toList();
        Codec codec = new Codec(CodecLimits.DEFAULTS);
        CountDownLatch finished = new CountDownLatch(replicas);
        AgentRunner[] runners = new AgentRunner[replicas];
        Node[] nodes = new Node[replicas];
        for (int i = 0; i < replicas; i++) {
            PrivateKey own = keys.get(i).getPrivate();
            Signatures signatures = crypto == Crypto.jdk
                    ? new Ed25519Signatures(own, publicKeys) : new BouncyCastleSignatures(own, publicKeys);
            nodes[i] = new Node(i, committee, signatures, codec, runners, finished);
            runners[i] = new AgentRunner(nodes[i], 1 << 16, Clock.system());
        }
        long start = System.nanoTime();
        for (AgentRunner r : runners) {
            r.start();
        }
        boolean done = finished.await(seconds, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (AgentRunner r : runners) {
            r.close();
        }
        long slowest = Long.MAX_VALUE;
        for (Node n : nodes) {
            slowest = Math.min(slowest, n.decided.get());
        }
        System.out.printf("basic HotStuff, n = %d, %d-byte commands, batch %d, Ed25519 (%s)%n", replicas, size, batch, crypto);
        System.out.printf("%s: %,d commands decided by every replica in %.2f s: %,.0f commands/s%n",
                done ? "complete" : "INCOMPLETE (gave up)", slowest, elapsed, slowest / elapsed);
        for (Node n : nodes) {
            System.out.printf("  replica %d: view %d, height %d, decided %,d, dropped: %s%n", n.replica.id(),
                    n.replica.view(), n.replica.decidedHeight(), n.decided.get(), n.rejections());
        }
        return done ? 0 : 1;
    }

    private record Packet(int from, byte[] bytes) {
    }

    /** One replica on its own thread, with the commands it is the entry point for. */
    private final class Node implements Agent, Outbox {
        private final int id;
        private final Codec codec;
        private final AgentRunner[] runners;
        private final CountDownLatch finished;
        private final Replica replica;
        private final AtomicLong decided = new AtomicLong();
        private final byte[] template;
        private final long quota;
        private long generated;
        private long timerView = -1;
        private long timerDueMillis = Long.MAX_VALUE;

        Node(int id, Committee committee, Signatures signatures, Codec codec, AgentRunner[] runners,
             CountDownLatch finished) {
            this.id = id;
            this.codec = codec;
            this.runners = runners;
            this.finished = finished;
            this.replica = new Replica(id, committee, signatures, this, new ReplicaConfig(batch, 4 * batch, 16));
            this.template = new byte[size];
            new SplittableRandom(id).nextBytes(template);
            this.quota = commands / replicas + (id < commands % replicas ? 1 : 0);
        }

        @Override
        public String roleName() {
            return "bft-" + id;
        }

        @Override
        public void onStart() {
            topUp();
            replica.start();
        }

        @Override
        public void onMessage(Object message) {
            Packet p = (Packet) message;
            try {
                replica.onMessage(p.from(), codec.decode(p.bytes()));
            } catch (MalformedMessageException e) {
                throw new IllegalStateException("replica " + p.from() + " sent undecodable bytes", e);
            }
            topUp();
        }

        @Override
        public long nextDueMillis() {
            return timerDueMillis;
        }

        @Override
        public void onTimer(long nowMillis) {
            timerDueMillis = Long.MAX_VALUE;
            replica.onTimeout(timerView);
            topUp();
        }

        /** Keeps two batches of fresh commands queued until this replica's share is generated. */
        private void topUp() {
            List<byte[]> fresh = new ArrayList<>();
            while (generated < quota && replica.ownCommands() + fresh.size() < 2 * batch) {
                byte[] command = template.clone();
                ByteBuffer.wrap(command).putInt(id).putLong(generated++);
                fresh.add(command);
            }
            if (!fresh.isEmpty()) {
                replica.submitAll(fresh);
            }
        }

        @Override
        public void send(int to, Msg msg) {
            runners[to].offer(new Packet(id, codec.encode(msg)));
        }

        @Override
        public void broadcast(Msg msg) {
            Packet p = new Packet(id, codec.encode(msg));
            for (int to = 0; to < runners.length; to++) {
                if (to != id) {
                    runners[to].offer(p);
                }
            }
        }

        @Override
        public void deliver(Block block, List<byte[]> applied) {
            long total = decided.addAndGet(applied.size());
            if (total >= commands && total - applied.size() < commands) {
                finished.countDown();
            }
        }

        /** The benchmark restarts no replica: votes stay in memory. */
        @Override
        public void persist(SafetyState state) {
        }

        /** Its only state is the count of decided commands, which no replica falls far enough behind to need. */
        @Override
        public byte[] snapshot() {
            return new byte[0];
        }

        @Override
        public boolean install(Checkpoint checkpoint) {
            return false;
        }

        @Override
        public void startTimer(long view, int failedViews) {
            timerView = view;
            timerDueMillis = Clock.system().millis() + (timeoutMs << Math.min(failedViews, 6));
        }

        String rejections() {
            StringBuilder sb = new StringBuilder();
            for (Rejection r : Rejection.values()) {
                if (replica.rejections(r) > 0) {
                    sb.append(r).append('=').append(replica.rejections(r)).append(' ');
                }
            }
            return sb.isEmpty() ? "none" : sb.toString().trim();
        }
    }
}
