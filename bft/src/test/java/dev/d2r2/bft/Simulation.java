package dev.d2r2.bft;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * n replicas in virtual time, wired through a seeded scheduler. Before the global stabilisation
 * time (GST) the network loses, duplicates and delays messages at random (so they arrive out of
 * order); from GST on it loses nothing and delivers within {@code maxDelayAfterGst}. The last
 * {@code faulty} replicas are Byzantine. Every message goes through the {@link Codec}.
 *
 * <p>Each replica's application is the list of the commands it applied, kept across restarts
 * unless the disk is wiped, with its snapshot (for checkpoints) and the node's progress, written
 * after each block as {@code BftNode} does.
 */
final class Simulation {
    /** How the network behaves, in virtual time units. */
    record Conditions(double loss, double duplication, int maxDelayBeforeGst, int maxDelayAfterGst,
                      long gst, int baseTimeout) {
    }

    /** What a Byzantine replica does. */
    enum Fault {
        /**
         * As leader, proposes two different blocks to two halves, and both to replica 0, the second
         * with its last command replaced by a forged one under replica 0's next sequence number; as
         * voter, also signs a vote for another block; as origin, forwards each batch twice and a
         * forged command in replica 0's name.
         */
        EQUIVOCATE,
        /** As leader, proposes a block on an old certificate, forking below the others' locks; double-votes. */
        FORK,
        /** Sends nothing. */
        SILENT
    }

    /** What a restarted replica finds on its disk besides its safety state. */
    enum Disk {
        /** The application's commands and the node's latest progress. */
        KEPT,
        /**
         * The application's commands, the node's progress one to three blocks older (or none): a
         * crash after the application took blocks and before the node noted it.
         */
        PROGRESS_BEHIND,
        /** Nothing: the application starts empty. */
        WIPED
    }

    private record Event(long time, long seq, int to, int from, byte[] payload, long timerView) {
    }

    private static final int MAX_BACKOFF_DOUBLINGS = 5;
    /** The prefix of the commands a Byzantine replica makes up. */
    static final String FORGED = "forged-";
    /** Per replica, the virtual times during which the network drops everything to and from it. */
    private final long[] isolatedFrom;
    private final long[] isolatedUntil;
    private final Conditions conditions;
    private final SplittableRandom random;
    private final Committee committee;
    private final Codec codec = new Codec(CodecLimits.DEFAULTS);
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
            a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final Replica[] replicas;
    private final Outbox[] outboxes;
    private final Signatures[] keys;
    private final ReplicaConfig config;
    /** Per replica, what it last asked to be made durable. */
    private final SafetyState[] persisted;
    /** Per replica, the last proposal it received and who sent it, which the network replays on a restart. */
    private final Msg.Prepare[] lastPrepare;
    private final int[] lastPrepareFrom;
    /** How many votes each correct replica sent, by "voter view phase". */
    private final Map<String, Integer> votesSent = new HashMap<>();
    private final Byzantine[] byzantine;
    /** Per replica, every block its application took, by height (again after a wiped restart: the same hashes). */
    private final List<Map<Long, BlockHash>> decided = new ArrayList<>();
    /** Blocks handed to an application out of height order, or another block at a height taken before: none, ever. */
    private final List<String> outOfOrder = new ArrayList<>();
    /** Per replica, its application: the commands applied, in order, and the height they reach. */
    private final List<List<String>> applied = new ArrayList<>();
    private final long[] applicationHeight;
    /** Per replica, the progress its node wrote after each block, oldest first. */
    private final List<List<Progress>> progress = new ArrayList<>();
    private long now;
    private long seq;
    private long delivered;
    /** Per replica, the sequence number of its running timer: a new one replaces it, as in {@code BftNode}. */
    private final long[] timers;

    Simulation(long seed, int n, int faulty, Fault fault, Conditions conditions,
               IntFunction<Signatures> signatures, ReplicaConfig config) {
        this.conditions = conditions;
        this.random = new SplittableRandom(seed);
        this.committee = new Committee(n);
        this.replicas = new Replica[n];
        this.outboxes = new Outbox[n];
        this.keys = new Signatures[n];
        this.config = config;
        this.persisted = new SafetyState[n];
        this.lastPrepare = new Msg.Prepare[n];
        this.lastPrepareFrom = new int[n];
        this.byzantine = new Byzantine[n];
        this.timers = new long[n];
        this.isolatedFrom = new long[n];
        this.isolatedUntil = new long[n];
        this.applicationHeight = new long[n];
        for (int i = 0; i < n; i++) {
            decided.add(new HashMap<>());
            applied.add(new ArrayList<>());
            progress.add(new ArrayList<>());
            Signatures keys = signatures.apply(i);
            Outbox honest = new Wire(i);
            boolean faultyReplica = i >= n - faulty;
            if (faultyReplica) {
                byzantine[i] = new Byzantine(i, fault, honest, keys);
            }
            this.keys[i] = keys;
            outboxes[i] = faultyReplica ? byzantine[i] : honest;
            replicas[i] = new Replica(i, committee, keys, outboxes[i], config);
        }
    }

    void start() {
        for (Replica r : replicas) {
            r.start();
        }
    }

    /**
     * Replaces replica {@code i} by a new one, as after a crash: everything in memory is lost, the
     * persisted {@link SafetyState} is given back if {@code restoreSafety}, the application and the
     * node's progress are what {@code disk} says, and the network replays the last proposal the
     * old one received.
     */
    void restart(int i, boolean restoreSafety, Disk disk) {
        replicas[i] = new Replica(i, committee, keys[i], outboxes[i], config);
        if (restoreSafety && persisted[i] != null) {
            replicas[i].restore(persisted[i]);
        }
        List<Progress> written = progress.get(i);
        if (disk == Disk.WIPED) {
            applied.get(i).clear();
            applicationHeight[i] = 0;
            written.clear();
        } else if (disk == Disk.PROGRESS_BEHIND) {
            int lost = Math.min(written.size(), 1 + random.nextInt(3));
            written.subList(written.size() - lost, written.size()).clear();
        }
        replicas[i].resume(written.isEmpty() ? null : written.getLast(), applicationHeight[i]);
        replicas[i].start();
        if (lastPrepare[i] != null) {
            events.add(new Event(now + 1, seq++, i, lastPrepareFrom[i], codec.encode(lastPrepare[i]), 0));
        }
    }

    /** Cuts replica {@code i} off the network from virtual time {@code from} until {@code until}. */
    void isolate(int i, long from, long until) {
        isolatedFrom[i] = from;
        isolatedUntil[i] = until;
    }

    /** The newest view in which correct replica {@code i} sent a vote of {@code phase} to another replica. */
    long lastVoteSent(int i, Phase phase) {
        long last = 0;
        for (String key : votesSent.keySet()) {
            String[] f = key.split(" ");
            if (Integer.parseInt(f[0]) == i && f[2].equals(phase.name())) {
                last = Math.max(last, Long.parseLong(f[1]));
            }
        }
        return last;
    }

    /** "voter view phase" of every vote a correct replica sent more than once. */
    List<String> repeatedVotes() {
        return votesSent.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    }

    /** Submits {@code command} to {@code replica} at virtual time {@code at}. */
    void submitAt(long at, int replica, byte[] command) {
        events.add(new Event(at, seq++, replica, -1, command, -1));
    }

    /** Runs until {@code until} (virtual time) or until {@code done} holds; true when it held. */
    boolean runUntil(long until, java.util.function.BooleanSupplier done) {
        while (!events.isEmpty() && events.peek().time <= until) {
            Event e = events.poll();
            now = e.time;
            if (e.from == -1 && e.timerView == -1) {
                replicas[e.to].submit(e.payload);
            } else if (e.payload == null) {
                if (e.seq == timers[e.to]) {
                    replicas[e.to].onTimeout(e.timerView);
                }
            } else {
                deliver(e);
            }
            if (done.getAsBoolean()) {
                return true;
            }
        }
        return done.getAsBoolean();
    }

    private void deliver(Event e) {
        Msg msg;
        try {
            msg = codec.decode(e.payload);
        } catch (MalformedMessageException ex) {
            throw new AssertionError("a replica sent undecodable bytes", ex);
        }
        delivered++;
        if (byzantine[e.to] != null) {
            byzantine[e.to].observe(msg);
        }
        if (msg instanceof Msg.Prepare p) {
            lastPrepare[e.to] = p;
            lastPrepareFrom[e.to] = e.from;
        }
        replicas[e.to].onMessage(e.from, msg);
    }

    private void transmit(int from, int to, Msg msg) {
        if (isolated(from) || isolated(to)) {
            return;
        }
        byte[] bytes = codec.encode(msg);
        boolean beforeGst = now < conditions.gst();
        if (beforeGst && random.nextDouble() < conditions.loss()) {
            return;
        }
        int copies = random.nextDouble() < conditions.duplication() ? 2 : 1;
        int maxDelay = beforeGst ? conditions.maxDelayBeforeGst() : conditions.maxDelayAfterGst();
        for (int c = 0; c < copies; c++) {
            events.add(new Event(now + 1 + random.nextInt(maxDelay), seq++, to, from, bytes, 0));
        }
    }

    private boolean isolated(int i) {
        return now >= isolatedFrom[i] && now < isolatedUntil[i];
    }

    Replica replica(int i) {
        return replicas[i];
    }

    boolean isCorrect(int i) {
        return byzantine[i] == null;
    }

    int size() {
        return replicas.length;
    }

    /** The commands replica {@code i}'s application holds (each decided command once), in order. */
    List<String> commands(int i) {
        return applied.get(i);
    }

    private void record(int replica, Block block, List<byte[]> commands) {
        if (block.height() != applicationHeight[replica] + 1) {
            outOfOrder.add("replica " + replica + " at height " + applicationHeight[replica] + " got " + block);
        }
        applicationHeight[replica] = block.height();
        BlockHash before = decided.get(replica).put(block.height(), block.hash());
        if (before != null && !before.equals(block.hash())) {
            outOfOrder.add("replica " + replica + " took another block at height " + block.height() + ": " + block);
        }
        for (byte[] c : commands) {
            applied.get(replica).add(new String(c, StandardCharsets.UTF_8));
        }
        progress.get(replica).add(replicas[replica].progress());
    }

    private void install(int replica, Checkpoint checkpoint) {
        applied.get(replica).clear();
        ByteBuffer b = ByteBuffer.wrap(checkpoint.state());
        while (b.hasRemaining()) {
            byte[] c = new byte[b.getInt()];
            b.get(c);
            applied.get(replica).add(new String(c, StandardCharsets.UTF_8));
        }
        applicationHeight[replica] = checkpoint.height();
        progress.get(replica).add(new Progress(checkpoint.height(), checkpoint.block().hash(), checkpoint.applied()));
    }

    /** The application's state: its commands, each length-prefixed, in order. */
    byte[] snapshot(int replica) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String c : applied.get(replica)) {
            byte[] bytes = c.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    /** The hash of every block replica {@code i}'s application took, by height. */
    Map<Long, BlockHash> decided(int i) {
        return decided.get(i);
    }

    /** The height replica {@code i}'s application has reached. */
    long applicationHeight(int i) {
        return applicationHeight[i];
    }

    /** Blocks given to an application out of height order, or unlike the one it took at that height before. */
    List<String> outOfOrder() {
        return outOfOrder;
    }

    long now() {
        return now;
    }

    long delivered() {
        return delivered;
    }

    /** A correct replica's link to the network. */
    private final class Wire implements Outbox {
        private final int id;

        Wire(int id) {
            this.id = id;
        }

        @Override
        public void send(int to, Msg msg) {
            if (msg instanceof Msg.Vote v && byzantine[id] == null) {
                votesSent.merge(id + " " + v.statement().view() + " " + v.statement().phase(), 1, Integer::sum);
            }
            transmit(id, to, msg);
        }

        @Override
        public void broadcast(Msg msg) {
            for (int to = 0; to < replicas.length; to++) {
                if (to != id) {
                    transmit(id, to, msg);
                }
            }
        }

        @Override
        public void deliver(Block block, List<byte[]> commands) {
            record(id, block, commands);
        }

        @Override
        public void persist(SafetyState state) {
            persisted[id] = state;
        }

        @Override
        public byte[] snapshot() {
            return Simulation.this.snapshot(id);
        }

        @Override
        public boolean install(Checkpoint checkpoint) {
            Simulation.this.install(id, checkpoint);
            return true;
        }

        @Override
        public void startTimer(long view, int doublings) {
            long timeout = (long) conditions.baseTimeout() << Math.min(doublings, MAX_BACKOFF_DOUBLINGS);
            timers[id] = seq;
            events.add(new Event(now + timeout, seq++, id, id, null, view));
        }
    }

    /**
     * A faulty replica: a correct replica whose outgoing messages are rewritten. As leader it
     * also certifies, on its own, whichever of its blocks collects votes, and drives it through
     * the phases, so that a block honest replicas should have refused could be decided.
     */
    private final class Byzantine implements Outbox {
        private final int id;
        private final Fault fault;
        private final Outbox wire;
        private final Signatures keys;
        private final Map<BlockHash, Block> blocks = new HashMap<>();
        private final List<QuorumCert> prepared = new ArrayList<>();
        private final byte[] signed = new byte[Statement.BYTES];
        private final Set<BlockHash> mine = new HashSet<>();
        private final Map<Statement, List<Msg.Vote>> tallies = new HashMap<>();
        /** The highest sequence number seen in a proposal from replica 0, the forgeries' victim. */
        private long victimSeq;

        Byzantine(int id, Fault fault, Outbox wire, Signatures keys) {
            this.id = id;
            this.fault = fault;
            this.wire = wire;
            this.keys = keys;
            blocks.put(Block.genesis().hash(), Block.genesis());
            prepared.add(QuorumCert.genesis());
        }

        void observe(Msg msg) {
            switch (msg) {
                case Msg.Prepare p -> {
                    blocks.put(p.block().hash(), p.block());
                    prepared.add(p.justify());
                    for (byte[] c : p.block().commands()) {
                        Command command = Command.decode(c);
                        if (command != null && command.origin() == 0) {
                            victimSeq = Math.max(victimSeq, command.seq());
                        }
                    }
                }
                case Msg.Certified c when c.qc().phase() == Phase.PREPARE -> prepared.add(c.qc());
                case Msg.BlockResponse r -> blocks.put(r.block().hash(), r.block());
                case Msg.Vote v when mine.contains(v.statement().block()) -> certify(v);
                default -> {
                }
            }
        }

        private void certify(Msg.Vote v) {
            Statement s = v.statement();
            List<Msg.Vote> tally = tallies.computeIfAbsent(s, k -> new ArrayList<>());
            if (tally.size() + 1 == committee.quorum() || tally.stream().anyMatch(t -> t.voter() == v.voter())) {
                return;
            }
            tally.add(v);
            if (tally.size() + 1 < committee.quorum()) {
                return;
            }
            int[] signers = new int[committee.quorum()];
            byte[][] signatures = new byte[committee.quorum()][];
            for (int i = 0; i < tally.size(); i++) {
                signers[i] = tally.get(i).voter();
                signatures[i] = tally.get(i).signature();
            }
            signers[tally.size()] = id;
            signatures[tally.size()] = keys.sign(s.bytes(signed));
            wire.broadcast(new Msg.Certified(new QuorumCert(s.view(), s.phase(), s.block(), signers, signatures)));
        }

        @Override
        public void send(int to, Msg msg) {
            if (fault == Fault.SILENT) {
                return;
            }
            if (msg instanceof Msg.CheckpointResponse r) {
                forgeCheckpoint(to, r);
                return;
            }
            wire.send(to, msg);
            if (fault == Fault.EQUIVOCATE && msg instanceof Msg.Forward f) {
                wire.send(to, f);
                wire.send(to, new Msg.Forward(List.of(forged(id))));
            }
            if (msg instanceof Msg.Vote v) {
                Statement other = new Statement(v.statement().view(), v.statement().phase(), randomBlock());
                wire.send(to, new Msg.Vote(other, id, keys.sign(other.bytes(signed))));
            }
        }

        @Override
        public void broadcast(Msg msg) {
            if (fault == Fault.SILENT) {
                return;
            }
            if (msg instanceof Msg.Prepare p) {
                blocks.put(p.block().hash(), p.block());
                mine.add(p.block().hash());
                Msg.Prepare other = fault == Fault.EQUIVOCATE ? twin(p) : fork(p);
                for (int to = 0; to < replicas.length; to++) {
                    if (to != id) {
                        boolean original = other == null || fault == Fault.EQUIVOCATE && to % 2 == 0;
                        wire.send(to, original ? p : other);
                        if (to == 0 && other != null) {
                            wire.send(to, original ? other : p);
                        }
                    }
                }
                return;
            }
            wire.broadcast(msg);
        }

        /**
         * The same proposal with its last command replaced by one forged in replica 0's name under
         * the sequence number it will likely use next: a different block at the same height and view.
         */
        private Msg.Prepare twin(Msg.Prepare p) {
            List<byte[]> commands = new ArrayList<>(p.block().commands());
            if (!commands.isEmpty()) {
                commands.removeLast();
            }
            commands.add(forged(p.view()));
            Block b = p.block();
            Block twin = new Block(b.parent(), b.height(), b.view(), b.proposer(), commands);
            blocks.put(twin.hash(), twin);
            mine.add(twin.hash());
            return new Msg.Prepare(p.view(), twin, p.justify());
        }

        /** A proposal extending a randomly chosen old certificate instead of the highest one. */
        private Msg.Prepare fork(Msg.Prepare p) {
            QuorumCert old = prepared.get(random.nextInt(prepared.size()));
            Block parent = blocks.get(old.block());
            if (parent == null || old.view() >= p.view()) {
                return null;
            }
            Block fork = new Block(parent.hash(), parent.height() + 1, p.view(), id, p.block().commands());
            blocks.put(fork.hash(), fork);
            mine.add(fork.hash());
            return new Msg.Prepare(p.view(), fork, old);
        }

        /**
         * Instead of its checkpoint: the same one with a made-up command added to the state under
         * the genuine certificate, then that forged state under a certificate of its own making
         * (every signer named, each signature its own), so only the checks can refuse them.
         */
        private void forgeCheckpoint(int to, Msg.CheckpointResponse genuine) {
            Checkpoint c = genuine.checkpoint();
            byte[] extra = (FORGED + id + "-state").getBytes(StandardCharsets.UTF_8);
            byte[] state = ByteBuffer.allocate(c.state().length + 4 + extra.length).put(c.state())
                    .putInt(extra.length).put(extra).array();
            Checkpoint forged = new Checkpoint(c.block(), c.applied(), state);
            wire.send(to, new Msg.CheckpointResponse(forged, genuine.cert()));
            BlockHash digest = forged.digest();
            byte[] signature = keys.sign(CheckpointCert.signed(c.height(), c.block().hash(), digest));
            int[] signers = new int[committee.quorum()];
            byte[][] signatures = new byte[committee.quorum()][];
            for (int i = 0; i < signers.length; i++) {
                signers[i] = i;
                signatures[i] = signature;
            }
            wire.send(to, new Msg.CheckpointResponse(forged,
                    new CheckpointCert(c.height(), c.block().hash(), digest, signers, signatures)));
        }

        private byte[] forged(long tag) {
            return new Command(0, victimSeq + 1, (FORGED + id + "-" + tag).getBytes(StandardCharsets.UTF_8)).encode();
        }

        private BlockHash randomBlock() {
            List<BlockHash> known = new ArrayList<>(blocks.keySet());
            return known.get(random.nextInt(known.size()));
        }

        @Override
        public void deliver(Block block, List<byte[]> commands) {
            wire.deliver(block, commands);
        }

        @Override
        public void persist(SafetyState state) {
            wire.persist(state);
        }

        @Override
        public byte[] snapshot() {
            return wire.snapshot();
        }

        @Override
        public boolean install(Checkpoint checkpoint) {
            return wire.install(checkpoint);
        }

        @Override
        public void startTimer(long view, int failedViews) {
            wire.startTimer(view, failedViews);
        }
    }
}
