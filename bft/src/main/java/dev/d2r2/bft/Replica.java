package dev.d2r2.bft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * One replica of basic HotStuff (Yin et al., PODC 2019, arXiv 1803.05069, Algorithm 2), as a
 * single-threaded state machine: messages, timeouts and submitted commands go in; messages,
 * timer requests and decided blocks come out through the {@link Outbox}. No threads, no clock,
 * no exceptions out of an input method: a bad message is counted by {@link Rejection} and dropped.
 *
 * <p>Each view runs the four phases of Algorithm 2 under leader {@code view mod n}:
 * PREPARE (the leader extends the highest certificate among n − f NEW-VIEWs; replicas vote if
 * {@link #safeNode}), PRE-COMMIT (replicas store the PREPARE certificate as their highest),
 * COMMIT (replicas lock on the PRE-COMMIT certificate) and DECIDE (replicas execute the branch
 * the COMMIT certificate names, then move to the next view). A view also ends on its timeout.
 *
 * <p>The paper leaves view synchronisation to a "Pacemaker" (§4.4, §6) and block storage to the
 * reader; here: a replica whose view times out broadcasts NEW-VIEW for the next view (again at
 * each further timeout, in case it was lost) but enters it only once n − f replicas have
 * announced it, joining any view f + 1 replicas announce (at least one correct replica did), so
 * that correct replicas cannot drift apart by whole views. A decision, or a certificate formed
 * in a later view, moves a replica on at once. A view's timer first waits for the proposal, as
 * long as the leader's proposals have needed, then restarts for the phases once a proposal is
 * voted for: only the leader knows whether it has commands, so an idle replica's timer must not
 * cut short a view that has work. Missing blocks are fetched from peers, and
 * NEW-VIEW carries the sender's last COMMIT certificate so that a replica which missed a DECIDE
 * catches up.
 *
 * <p>A command submitted here is numbered ({@link Command}: this replica and a sequence number)
 * and forwarded to the current leader, again to each new leader until it is decided; the
 * decided chain applies each (origin, sequence) once ({@link AppliedCommands}).
 *
 * <p>Every {@code retainedHeights / 2} decided heights a replica signs its state (applied record
 * and application snapshot, {@link Checkpoint}); n − f matching signatures make it stable. A
 * replica whose next decision lies more than {@code retainedHeights} above its own, so that its
 * peers may have forgotten the blocks in between, asks for a stable checkpoint, checks the
 * certificate and the state's digest, and installs it. A restarted replica {@link #resume}s from
 * the progress its node wrote and the height its application reports.
 */
public final class Replica {
    private final int id;
    private final Committee committee;
    private final Signatures signatures;
    private final Outbox out;
    private final ReplicaConfig config;
    private final QcVerifier certificates;
    private final BlockTree tree;
    private final PendingCommands pending;
    private AppliedCommands applied;
    private final Checkpoints checkpoints;
    private final int checkpointInterval;
    /** Blocks up to this height update the applied record but are not delivered: the application has them. */
    private long appliedByApplication;
    /** A decision lies beyond the blocks peers retain: ask for a checkpoint at each timeout until one is installed. */
    private boolean lagging;
    private long checkpointRequested = -1;
    private long installedCheckpoints;
    /** This replica's undecided commands, encoded, by sequence number: handed to each new leader. */
    private final LinkedHashMap<Long, byte[]> own = new LinkedHashMap<>();
    private long nextSeq = 1;
    /** Own commands handed to the leader in this view, at most a batch. */
    private int handed;
    private List<byte[]> forwards = new ArrayList<>();
    private long renumbered;
    private long lostCommands;
    private final VoteCollector votes;
    private final long[] rejected = new long[Rejection.values().length];
    private final byte[] signed = new byte[Statement.BYTES];
    private final ArrayDeque<Inbound> local = new ArrayDeque<>();
    private boolean draining;

    private long view;
    /** Doublings of the timeout for a view's phases once its proposal is in. */
    private int failedViews;
    /** Per leader, doublings of the wait for its proposal: grown each time one came too late. */
    private final int[] proposalWaits;
    private long lateProposal;
    private boolean expired;
    private QuorumCert highQc = QuorumCert.genesis();
    private QuorumCert lockedQc = QuorumCert.genesis();
    private QuorumCert lastCommit;
    private long decidedHeight;
    private BlockHash decidedHash = Block.genesis().hash();
    private final long[] lastVoted = new long[Phase.values().length];
    private boolean proposed;
    private final Announcements announced;
    private Msg.Prepare parkedProposal;
    private int parkedFrom;
    private QuorumCert parkedDecision;

    public Replica(int id, Committee committee, Signatures signatures, Outbox out, ReplicaConfig config) {
        if (!committee.isMember(id)) {
            throw new IllegalArgumentException("replica " + id + " is not in a committee of " + committee.size());
        }
        this.id = id;
        this.committee = committee;
        this.signatures = signatures;
        this.out = out;
        this.config = config;
        this.certificates = new QcVerifier(committee, signatures);
        this.tree = new BlockTree(config.retainedHeights());
        this.pending = new PendingCommands(committee.size(), config.maxPendingCommands());
        this.applied = new AppliedCommands(committee.size(), appliedWindow());
        this.checkpoints = new Checkpoints(committee, signatures);
        this.checkpointInterval = Math.max(1, config.retainedHeights() / 2);
        this.votes = new VoteCollector(committee);
        this.announced = new Announcements(committee.size());
        this.proposalWaits = new int[committee.size()];
    }

    /**
     * Before {@link #start}: takes back what this replica persisted before a restart, so that it
     * votes no more in the views it voted in and keeps its lock.
     */
    public void restore(SafetyState state) {
        if (view != 0) {
            throw new IllegalStateException("restore before start");
        }
        System.arraycopy(state.lastVoted(), 0, lastVoted, 0, lastVoted.length);
        lockedQc = state.locked();
        highQc = state.locked();
    }

    /**
     * Before {@link #start}, after a restart: continues the decided chain from {@code progress}
     * (what the node wrote after the application took block {@code progress.height()}, null if
     * nothing was written) when the application reports it has durably applied up to
     * {@code applicationHeight}. Blocks above the progress up to the application's height are
     * applied again to the record of commands but not delivered; delivery resumes above it. An
     * application at height 0 (nothing kept) gets the chain again from the start.
     *
     * @throws IllegalStateException when the application is behind the progress yet not empty: it
     *                               lost blocks it had taken, and neither redelivering them (the
     *                               record after them is unknown) nor skipping them is right
     */
    public void resume(Progress progress, long applicationHeight) {
        if (view != 0) {
            throw new IllegalStateException("resume before start");
        }
        if (applicationHeight < 0) {
            throw new IllegalArgumentException("negative application height " + applicationHeight);
        }
        appliedByApplication = applicationHeight;
        if (progress == null || applicationHeight == 0 && progress.height() > 0) {
            return;
        }
        if (applicationHeight < progress.height()) {
            throw new IllegalStateException("the application reports decided height " + applicationHeight
                    + " applied, but it had taken height " + progress.height() + ": it lost blocks it acknowledged;"
                    + " restore its state, or empty both it and the node's progress to start again");
        }
        AppliedCommands record = AppliedCommands.decode(progress.applied(), committee.size(), appliedWindow());
        if (record == null) {
            throw new IllegalArgumentException("progress at height " + progress.height()
                    + ": the record of applied commands does not decode for a committee of " + committee.size()
                    + " and " + config.maxPendingCommands() + " pending commands");
        }
        applied = record;
        decidedHeight = progress.height();
        decidedHash = progress.block();
    }

    private int appliedWindow() {
        return 2 * config.maxPendingCommands();
    }

    /** Enters view 1, or the last view it voted in before a restart. */
    public void start() {
        enterView(Math.max(1, Arrays.stream(lastVoted).max().orElse(0)));
        drain();
    }

    /** Orders {@code command}; false when this replica holds {@code maxPendingCommands} undecided ones. */
    public boolean submit(byte[] command) {
        return submitAll(List.of(command)) == 1;
    }

    /**
     * Orders the first of {@code commands} this replica has room for, each numbered and handed to
     * the current leader (one forward for all); how many it took.
     */
    public int submitAll(List<byte[]> commands) {
        int taken = 0;
        while (taken < commands.size() && own.size() < config.maxPendingCommands() && number(commands.get(taken))) {
            taken++;
        }
        if (taken > 0) {
            tryPropose();
            drain();
        }
        return taken;
    }

    /** Gives {@code payload} this replica's next free sequence number; false when its window is full. */
    private boolean number(byte[] payload) {
        // A faulty leader may have claimed numbers ahead of this replica's.
        while (applied.isApplied(new Command.Id(id, nextSeq))) {
            nextSeq++;
        }
        if (!applied.hasRoom(id, nextSeq)) {
            return false;
        }
        long seq = nextSeq++;
        byte[] bytes = new Command(id, seq, payload).encode();
        own.put(seq, bytes);
        hand(seq, bytes);
        return true;
    }

    /** To this replica's proposals when it leads, else into the forward to the leader (a batch per view). */
    private void hand(long seq, byte[] bytes) {
        if (view == 0) {
            return;
        }
        if (committee.leader(view) == id) {
            pending.add(new Command.Id(id, seq), bytes);
        } else if (handed < config.maxBatchCommands()) {
            handed++;
            forwards.add(bytes);
        }
    }

    private void flushForwards() {
        if (!forwards.isEmpty()) {
            out.send(committee.leader(view), new Msg.Forward(forwards));
            forwards = new ArrayList<>();
        }
    }

    /**
     * The timer of {@code view} expired (paper, Algorithm 2, "nextView interrupt"): announce the
     * next view to everyone, again at every expiry until enough replicas follow.
     */
    public void onTimeout(long timedOut) {
        if (timedOut != view) {
            return;
        }
        if (viewHadWork()) {
            failedViews++;
        }
        expired = true;
        if (lagging) {
            requestCheckpoint();
        }
        for (BlockHash hash : tree.missing()) {
            out.broadcast(new Msg.BlockRequest(hash));
        }
        announce(Math.max(announced.viewOf(id), view + 1));
        out.startTimer(view, Math.max(proposalWaits[committee.leader(view)], failedViews));
        followAnnouncements();
        drain();
    }

    /** A message from replica {@code from}, as authenticated by the transport. */
    public void onMessage(int from, Msg msg) {
        if (!committee.isMember(from) || from == id) {
            reject(Rejection.UNKNOWN_SENDER);
            return;
        }
        dispatch(from, msg);
        drain();
    }

    private void dispatch(int from, Msg msg) {
        switch (msg) {
            case Msg.NewView nv -> onNewView(from, nv);
            case Msg.Prepare p -> onPrepare(from, p);
            case Msg.Vote v -> onVote(from, v);
            case Msg.Certified c -> onCertified(from, c.qc());
            case Msg.BlockRequest r -> onBlockRequest(from, r.hash());
            case Msg.BlockResponse r -> onBlockResponse(from, r.block());
            case Msg.Forward f -> onForward(from, f);
            case Msg.CheckpointVote v -> {
                if (!checkpoints.add(from, v)) {
                    reject(Rejection.BAD_CHECKPOINT);
                }
            }
            case Msg.CheckpointRequest r -> onCheckpointRequest(from, r.height());
            case Msg.CheckpointResponse r -> onCheckpoint(from, r.checkpoint(), r.cert());
        }
    }

    /** Commands forwarded by their origin, queued for this replica's proposals unless already decided. */
    private void onForward(int from, Msg.Forward f) {
        for (byte[] bytes : f.commands()) {
            Command.Id c = Command.idOf(bytes);
            if (c == null || c.origin() != from) {
                reject(Rejection.MALFORMED_FORWARD);
            } else if (!applied.isApplied(c)) {
                pending.add(c, bytes);
            }
        }
        tryPropose();
    }

    /**
     * Whether the view that timed out had something to decide. Idle views (nothing queued here,
     * nothing proposed, nothing certified and undecided) do not lengthen the next timeout, so a
     * command arriving after a quiet spell waits for base timeouts only.
     */
    private boolean viewHadWork() {
        if (!own.isEmpty() || !pending.isEmpty() || lastVoted[Phase.PREPARE.ordinal()] == view || parkedProposal != null) {
            return true;
        }
        Block high = tree.get(highQc.block());
        return high == null || high.height() > decidedHeight;
    }

    // NEW-VIEW (Algorithm 2, "prepare phase", leader side) and view synchronisation.

    private void onNewView(int from, Msg.NewView nv) {
        QuorumCert high = certificates.verified(nv.highQc());
        if (high == null) {
            reject(Rejection.BAD_CERTIFICATE);
            return;
        }
        if (nv.lastCommit() != null && (lastCommit == null || nv.lastCommit().view() > lastCommit.view())) {
            onDecide(from, nv.lastCommit());
        }
        observeHigh(high);
        announced.record(from, nv.view(), high);
        followAnnouncements();
        tryPropose();
    }

    /**
     * Bracha-style amplification of view changes: a view announced by n − f replicas is entered,
     * so correct replicas cannot drift apart; a view announced by f + 1 was announced by a correct
     * one, so announce it too rather than wait for this replica's own timer.
     */
    private void followAnnouncements() {
        long joined = announced.reachedBy(committee.faults() + 1);
        if (joined > announced.viewOf(id)) {
            announce(joined);
        }
        long entered = announced.reachedBy(committee.quorum());
        if (entered > view) {
            leaveUndecided();
            enterView(entered);
        }
    }

    private void announce(long next) {
        announced.record(id, next, highQc);
        out.broadcast(new Msg.NewView(next, highQc, lastCommit));
    }

    private void tryPropose() {
        if (view == 0 || committee.leader(view) != id || proposed) {
            return;
        }
        if (announced.countAt(view) < committee.quorum()) {
            return;
        }
        int highFrom = announced.highestAt(view);
        QuorumCert high = announced.certificateOf(highFrom);
        if (highQc.view() > high.view()) {
            high = highQc;
            highFrom = id;
        }
        Block parent = tree.get(high.block());
        if (parent == null) {
            fetch(high.block(), highFrom);
            return;
        }
        Set<Command.Id> inFlight = undecidedCommands(parent, highFrom);
        if (inFlight == null) {
            return;
        }
        List<byte[]> batch = pending.take(config.maxBatchCommands(), inFlight);
        if (batch.isEmpty() && parent.height() <= decidedHeight) {
            return;
        }
        Block block = new Block(parent.hash(), parent.height() + 1, view, id, batch);
        proposed = true;
        tree.add(block);
        votes.expect(new Statement(view, Phase.PREPARE, block.hash()));
        toEveryone(new Msg.Prepare(view, block, high));
    }

    /**
     * The commands in the undecided blocks from {@code tip} down to the last decision, which a new
     * proposal must not repeat; null (after asking {@code peer}) while one of those blocks is missing.
     */
    private Set<Command.Id> undecidedCommands(Block tip, int peer) {
        Set<Command.Id> keys = new HashSet<>();
        Block b = tip;
        while (b.height() > decidedHeight) {
            for (byte[] c : b.commands()) {
                keys.add(Command.idOf(c));
            }
            if (b.height() == decidedHeight + 1) {
                break;
            }
            Block parent = tree.get(b.parent());
            if (parent == null) {
                fetch(b.parent(), peer);
                return null;
            }
            b = parent;
        }
        return keys;
    }

    // PREPARE, replica side.

    private void onPrepare(int from, Msg.Prepare p) {
        Block b = p.block();
        if (from != committee.leader(p.view())) {
            reject(Rejection.WRONG_LEADER);
            return;
        }
        // Only a leader that proposes can be late, so idle and silent leaders' views stay short; a
        // faulty one lengthens only its own views.
        if ((p.view() < view || p.view() == view && expired) && p.view() > lateProposal) {
            lateProposal = p.view();
            proposalWaits[from]++;
        }
        if (p.view() < view) {
            reject(Rejection.STALE_VIEW);
            return;
        }
        QuorumCert justify = certificates.verified(p.justify());
        if (justify == null) {
            reject(Rejection.BAD_CERTIFICATE);
            return;
        }
        if (b.view() != p.view() || b.proposer() != from || !b.parent().equals(justify.block())
                || justify.view() >= p.view() || b.commands().size() > config.maxBatchCommands()
                || !wellFormed(b.commands())) {
            reject(Rejection.MALFORMED_PROPOSAL);
            return;
        }
        observeHigh(justify);
        Block parent = tree.get(b.parent());
        if (p.view() > view || parent == null) {
            park(from, p);
            if (parent == null) {
                fetch(b.parent(), from);
            }
            return;
        }
        if (b.height() != parent.height() + 1) {
            reject(Rejection.MALFORMED_PROPOSAL);
            return;
        }
        tree.add(b);
        Boolean safe = safeNode(b, justify, from);
        if (safe == null) {
            park(from, p);
        } else if (!safe) {
            reject(Rejection.UNSAFE_PROPOSAL);
        } else {
            vote(Phase.PREPARE, b.hash());
        }
    }

    private boolean wellFormed(List<byte[]> commands) {
        for (byte[] c : commands) {
            Command.Id command = Command.idOf(c);
            if (command == null || !committee.isMember(command.origin())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Algorithm 1's safeNode predicate: the block extends the locked block (safety), or its
     * justification is newer than the lock (liveness). Null while an ancestor is being fetched.
     */
    private Boolean safeNode(Block b, QuorumCert justify, int peer) {
        if (justify.view() > lockedQc.view()) {
            return true;
        }
        Block locked = tree.get(lockedQc.block());
        if (locked == null) {
            fetch(lockedQc.block(), peer);
            return null;
        }
        Block a = b;
        while (a.height() > locked.height()) {
            Block parent = tree.get(a.parent());
            if (parent == null) {
                fetch(a.parent(), peer);
                return null;
            }
            a = parent;
        }
        return a.hash().equals(lockedQc.block());
    }

    private void park(int from, Msg.Prepare p) {
        if (parkedProposal == null || parkedProposal.view() < view || p.view() <= parkedProposal.view()) {
            parkedProposal = p;
            parkedFrom = from;
        }
    }

    // PRE-COMMIT, COMMIT and DECIDE, replica side.

    private void onCertified(int from, QuorumCert qc) {
        if (qc.phase() == Phase.COMMIT) {
            onDecide(from, qc);
            return;
        }
        if (from != committee.leader(qc.view())) {
            reject(Rejection.WRONG_LEADER);
            return;
        }
        if (qc.view() < view) {
            reject(Rejection.STALE_VIEW);
            return;
        }
        QuorumCert valid = certificates.verified(qc);
        if (valid == null) {
            reject(Rejection.BAD_CERTIFICATE);
            return;
        }
        if (valid.view() > view) {
            leaveUndecided();
            enterView(valid.view());
        }
        observeHigh(valid);
        if (valid.phase() == Phase.PREPARE) {
            vote(Phase.PRE_COMMIT, valid.block());
        } else {
            lock(valid);
            vote(Phase.COMMIT, valid.block());
        }
    }

    private void onDecide(int from, QuorumCert qc) {
        QuorumCert valid = certificates.verified(qc);
        if (valid == null || valid.phase() != Phase.COMMIT) {
            reject(Rejection.BAD_CERTIFICATE);
            return;
        }
        observeHigh(valid);
        lock(valid);
        if (lastCommit == null || valid.view() > lastCommit.view()) {
            lastCommit = valid;
        }
        execute(valid, from);
        if (valid.view() >= view) {
            // One doubling less rather than none: the network needed them a moment ago, and every
            // replica that misses the next leader's proposal would count a failed view again.
            failedViews = Math.max(0, failedViews - 1);
            enterView(valid.view() + 1);
        }
    }

    /**
     * Delivers the certified block and its undelivered ancestors, oldest first. The decided block
     * itself need not be held: a branch is checked against its hash, so a replica resumed from
     * its progress needs no block below.
     */
    private void execute(QuorumCert qc, int peer) {
        Block target = tree.get(qc.block());
        if (target == null) {
            parkDecision(qc);
            fetch(qc.block(), peer);
            return;
        }
        if (target.height() <= decidedHeight) {
            return;
        }
        if (target.height() - decidedHeight > config.retainedHeights()) {
            // The peers may have pruned the blocks in between; fetching goes on meanwhile.
            lagging = true;
            requestCheckpoint();
        }
        List<Block> branch = new ArrayList<>();
        Block b = target;
        branch.add(b);
        while (b.height() > decidedHeight + 1) {
            Block parent = tree.get(b.parent());
            if (parent == null) {
                parkDecision(qc);
                fetch(b.parent(), peer);
                return;
            }
            b = parent;
            branch.add(b);
        }
        if (!b.parent().equals(decidedHash)) {
            reject(Rejection.CONFLICTING_DECISION);
            return;
        }
        for (int i = branch.size() - 1; i >= 0; i--) {
            Block d = branch.get(i);
            List<byte[]> fresh = apply(d);
            decidedHeight = d.height();
            decidedHash = d.hash();
            if (decidedHeight > appliedByApplication) {
                out.deliver(d, fresh);
            }
            // Below the application's height its snapshot is of a later height, not of this one.
            if (decidedHeight % checkpointInterval == 0 && decidedHeight >= appliedByApplication) {
                out.broadcast(checkpoints.take(id, new Checkpoint(d, applied.encode(), out.snapshot())));
            }
        }
        lagging = false;
        if (parkedDecision != null && parkedDecision.view() <= qc.view()) {
            parkedDecision = null;
        }
        tree.prune(decidedHeight);
    }

    // State transfer: checkpoints for replicas too far behind.

    private void requestCheckpoint() {
        if (checkpointRequested != view) {
            checkpointRequested = view;
            out.broadcast(new Msg.CheckpointRequest(decidedHeight));
        }
    }

    private void onCheckpointRequest(int from, long height) {
        Msg.CheckpointResponse newer = checkpoints.newerThan(height);
        if (newer != null) {
            out.send(from, newer);
        }
    }

    /**
     * A checkpoint from a peer, which may lie: installed only when its certificate holds n − f
     * valid signatures over its state's digest and it is above the decided height (answers from
     * several peers arrive; the first good one is taken).
     */
    private void onCheckpoint(int from, Checkpoint checkpoint, CheckpointCert cert) {
        if (checkpoint.height() <= decidedHeight) {
            return;
        }
        AppliedCommands record = AppliedCommands.decode(checkpoint.applied(), committee.size(), appliedWindow());
        if (record == null || !checkpoints.proves(checkpoint, cert)) {
            reject(Rejection.BAD_CHECKPOINT);
            return;
        }
        if (!out.install(checkpoint)) {
            return;
        }
        applied = record;
        decidedHeight = checkpoint.height();
        decidedHash = checkpoint.block().hash();
        appliedByApplication = decidedHeight;
        installedCheckpoints++;
        lagging = false;
        checkpoints.installed(checkpoint, cert);
        tree.add(checkpoint.block());
        tree.prune(decidedHeight);
        // Decided while this replica was away, with these bytes or others: it cannot tell which.
        own.keySet().removeIf(seq -> applied.isApplied(new Command.Id(id, seq)));
        resumeParked(from);
    }

    /** The payloads of {@code block}'s commands applied for the first time, in block order. */
    private List<byte[]> apply(Block block) {
        List<byte[]> fresh = new ArrayList<>(block.commands().size());
        for (byte[] bytes : block.commands()) {
            Command c = Command.decode(bytes);
            if (c == null) {
                continue;
            }
            pending.remove(c.id());
            if (applied.apply(c.id())) {
                fresh.add(c.payload());
            }
            if (c.origin() == id) {
                settle(c.seq(), bytes);
            }
        }
        return fresh;
    }

    /**
     * One of this replica's sequence numbers was decided. A faulty leader can claim it for other
     * bytes (an origin is not signed); the command it numbered then takes a new number, so the
     * forgery costs a delay, not the command.
     */
    private void settle(long seq, byte[] decidedBytes) {
        byte[] mine = own.remove(seq);
        if (mine == null || Arrays.equals(mine, decidedBytes)) {
            return;
        }
        renumbered++;
        if (!number(Command.decode(mine).payload())) {
            lostCommands++;
        }
    }

    private void parkDecision(QuorumCert qc) {
        if (parkedDecision == null || qc.view() > parkedDecision.view()) {
            parkedDecision = qc;
        }
    }

    // Votes, leader side (Algorithm 2: "wait for n − f votes", then broadcast the certificate).

    private void onVote(int from, Msg.Vote v) {
        Statement s = v.statement();
        if (v.voter() != from) {
            reject(Rejection.BAD_VOTE);
            return;
        }
        if (committee.leader(s.view()) != id) {
            reject(Rejection.WRONG_LEADER);
            return;
        }
        if (votes.wasCertified(s)) {
            return;
        }
        if (s.view() < view) {
            reject(Rejection.STALE_VIEW);
            return;
        }
        if (!votes.expects(s)) {
            reject(Rejection.UNEXPECTED_VOTE);
            return;
        }
        if (votes.hasVoted(from)) {
            reject(Rejection.DUPLICATE);
            return;
        }
        if (from != id && !signatures.verify(from, s.bytes(signed), v.signature())) {
            reject(Rejection.BAD_VOTE);
            return;
        }
        QuorumCert qc = votes.add(from, v.signature());
        if (qc == null) {
            return;
        }
        certificates.remember(qc);
        if (qc.phase() != Phase.COMMIT) {
            Phase next = Phase.values()[qc.phase().ordinal() + 1];
            votes.expect(new Statement(qc.view(), next, qc.block()));
        }
        toEveryone(new Msg.Certified(qc));
    }

    private void vote(Phase phase, BlockHash block) {
        if (lastVoted[phase.ordinal()] >= view) {
            reject(Rejection.DUPLICATE);
            return;
        }
        lastVoted[phase.ordinal()] = view;
        out.persist(new SafetyState(lastVoted, lockedQc));
        if (phase == Phase.PREPARE) {
            out.startTimer(view, failedViews);
        }
        Statement s = new Statement(view, phase, block);
        byte[] signature = signatures.sign(s.bytes(signed));
        toOne(committee.leader(view), new Msg.Vote(s, id, signature));
    }

    // Blocks.

    private void fetch(BlockHash hash, int peer) {
        if (tree.want(hash)) {
            if (peer == id) {
                out.broadcast(new Msg.BlockRequest(hash));
            } else {
                out.send(peer, new Msg.BlockRequest(hash));
            }
        }
    }

    private void onBlockRequest(int from, BlockHash hash) {
        Block b = tree.get(hash);
        if (b != null) {
            out.send(from, new Msg.BlockResponse(b));
        }
    }

    private void onBlockResponse(int from, Block b) {
        if (!tree.isWanted(b.hash())) {
            reject(Rejection.UNSOLICITED_BLOCK);
            return;
        }
        tree.add(b);
        if (b.height() - 1 > decidedHeight && tree.get(b.parent()) == null) {
            fetch(b.parent(), from);
        }
        resumeParked(from);
    }

    /** Once the missing blocks or state are in: the decision and the proposal parked for them, then a proposal of this replica's own. */
    private void resumeParked(int from) {
        if (parkedDecision != null) {
            QuorumCert qc = parkedDecision;
            parkedDecision = null;
            execute(qc, from);
        }
        replayParkedProposal();
        tryPropose();
    }

    private void replayParkedProposal() {
        if (parkedProposal != null && parkedProposal.view() == view) {
            local.add(new Inbound(parkedFrom, parkedProposal));
            parkedProposal = null;
        }
    }

    // Views.

    /**
     * Counts a view this replica voted in and leaves undecided because the others moved on: its
     * own timer, which would have counted it, has not expired.
     */
    private void leaveUndecided() {
        if (!expired && lastVoted[Phase.PREPARE.ordinal()] == view) {
            failedViews++;
        }
    }

    /**
     * Enters {@code next} and sends the leader this replica's current highest certificate. The
     * view's timer first waits for the proposal only; voting for it restarts the timer for the
     * phases ({@link #vote}).
     */
    private void enterView(long next) {
        view = next;
        expired = false;
        proposed = false;
        votes.clear();
        handed = 0;
        forwards.clear();
        for (var e : own.entrySet()) {
            if (handed == config.maxBatchCommands()) {
                break;
            }
            hand(e.getKey(), e.getValue());
        }
        // Before the NEW-VIEW, so that the leader, on a FIFO link, has them when it can propose.
        flushForwards();
        out.startTimer(view, proposalWaits[committee.leader(view)]);
        // Not only at this replica's timeouts: the others' announcements may pull it on every time first.
        for (BlockHash hash : tree.missing()) {
            out.broadcast(new Msg.BlockRequest(hash));
        }
        announced.record(id, view, highQc);
        int leader = committee.leader(view);
        if (leader != id) {
            out.send(leader, new Msg.NewView(view, highQc, lastCommit));
        }
        replayParkedProposal();
        tryPropose();
    }

    private void observeHigh(QuorumCert qc) {
        if (qc.view() > highQc.view()) {
            highQc = qc;
        }
    }

    private void lock(QuorumCert qc) {
        if (qc.view() > lockedQc.view()) {
            lockedQc = qc;
        }
    }

    // Plumbing.

    private void toOne(int to, Msg msg) {
        if (to == id) {
            local.add(new Inbound(id, msg));
        } else {
            out.send(to, msg);
        }
    }

    private void toEveryone(Msg msg) {
        out.broadcast(msg);
        local.add(new Inbound(id, msg));
    }

    /** Handles this replica's messages to itself after the input that produced them, not inside it. */
    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            Inbound next;
            while ((next = local.poll()) != null) {
                dispatch(next.from, next.msg);
            }
            flushForwards();
        } finally {
            draining = false;
        }
    }

    private void reject(Rejection why) {
        rejected[why.ordinal()]++;
    }

    private record Inbound(int from, Msg msg) {
    }

    // Observation, for drivers, metrics and tests.

    public int id() {
        return id;
    }

    public long view() {
        return view;
    }

    /** The height of the newest decided block (0 before the first). */
    public long decidedHeight() {
        return decidedHeight;
    }

    /** The hash of the newest decided block. */
    public BlockHash decidedHash() {
        return decidedHash;
    }

    /** What the node writes after each delivered block, for {@link #resume} after a restart. */
    public Progress progress() {
        return new Progress(decidedHeight, decidedHash, applied.encode());
    }

    /** The certificate of the newest stable checkpoint, or null before the first. */
    public CheckpointCert stableCheckpoint() {
        return checkpoints.stable();
    }

    /** Checkpoints taken from peers, each because this replica was too far behind. */
    public long installedCheckpoints() {
        return installedCheckpoints;
    }

    /** Commands this replica would propose as leader, its own and forwarded ones. */
    public int pendingCommands() {
        return pending.size();
    }

    /** Commands submitted here and not yet decided. */
    public int ownCommands() {
        return own.size();
    }

    /** Own commands renumbered because a faulty leader decided other bytes under their number. */
    public long renumberedCommands() {
        return renumbered;
    }

    /** Own commands given up because their origin's window of sequence numbers was full (see AppliedCommands). */
    public long lostCommands() {
        return lostCommands;
    }

    /** How many messages were dropped for {@code why}. */
    public long rejections(Rejection why) {
        return rejected[why.ordinal()];
    }

    /** What {@link Outbox#persist} was last given, or would be now. */
    public SafetyState safetyState() {
        return new SafetyState(lastVoted, lockedQc);
    }

    public QuorumCert lockedQc() {
        return lockedQc;
    }

    public QuorumCert highQc() {
        return highQc;
    }
}
