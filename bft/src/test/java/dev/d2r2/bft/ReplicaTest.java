package dev.d2r2.bft;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** One replica driven by hand, with real Ed25519 keys, and four replicas deciding together. */
class ReplicaTest {
    private static final Keys KEYS = new Keys(4);
    private final Committee committee = new Committee(4);
    private final RecordingOutbox out = new RecordingOutbox();
    private final byte[] scratch = new byte[Statement.BYTES];
    private Replica replica;

    @BeforeEach
    void startReplicaZero() {
        replica = new Replica(0, committee, KEYS.signatures(0), out, ReplicaConfig.DEFAULTS);
        replica.start();
    }

    private Msg.Vote vote(int voter, Statement s) {
        return new Msg.Vote(s, voter, KEYS.signatures(voter).sign(s.bytes(scratch)));
    }

    private QuorumCert certificate(Statement s, int... signers) {
        byte[][] signatures = new byte[signers.length][];
        for (int i = 0; i < signers.length; i++) {
            signatures[i] = KEYS.signatures(signers[i]).sign(s.bytes(scratch));
        }
        return new QuorumCert(s.view(), s.phase(), s.block(), signers, signatures);
    }

    /** A block of the proposer's own commands, numbered 1, 2, 3... */
    private static Block child(Block parent, long view, int proposer, String... commands) {
        List<Command> batch = new ArrayList<>();
        for (String c : commands) {
            batch.add(command(proposer, batch.size() + 1, c));
        }
        return child(parent, view, proposer, batch);
    }

    private static Block child(Block parent, long view, int proposer, List<Command> commands) {
        return new Block(parent.hash(), parent.height() + 1, view, proposer, commands.stream().map(Command::encode).toList());
    }

    private static Command command(int origin, long seq, String payload) {
        return new Command(origin, seq, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> payloads(List<byte[]> commands) {
        return commands.stream().map(c -> new String(Command.decode(c).payload(), StandardCharsets.UTF_8)).toList();
    }

    /** Replica 0 follows {@code b}, proposed by the leader of {@code view} on {@code justify}, until it decides it. */
    private QuorumCert decide(Block b, QuorumCert justify) {
        long view = b.view();
        int leader = committee.leader(view);
        replica.onMessage(leader, new Msg.Prepare(view, b, justify));
        QuorumCert prepareQc = certificate(new Statement(view, Phase.PREPARE, b.hash()), 1, 2, 3);
        replica.onMessage(leader, new Msg.Certified(prepareQc));
        replica.onMessage(leader, new Msg.Certified(certificate(new Statement(view, Phase.PRE_COMMIT, b.hash()), 1, 2, 3)));
        replica.onMessage(leader, new Msg.Certified(certificate(new Statement(view, Phase.COMMIT, b.hash()), 1, 2, 3)));
        return prepareQc;
    }

    @Test
    void votesOnceForAValidProposalOfTheViewsLeaderAndSignsWithItsKey() {
        Block b = child(Block.genesis(), 1, 1, "a");
        Msg.Prepare proposal = new Msg.Prepare(1, b, QuorumCert.genesis());

        replica.onMessage(1, proposal);
        replica.onMessage(1, proposal);

        List<Msg.Vote> votes = out.sentOf(Msg.Vote.class);
        assertThat(votes).hasSize(1);
        Msg.Vote v = votes.getFirst();
        assertThat(v.statement()).isEqualTo(new Statement(1, Phase.PREPARE, b.hash()));
        assertThat(KEYS.signatures(2).verify(0, v.statement().bytes(scratch), v.signature())).isTrue();
        assertThat(out.sent.getLast().to()).isEqualTo(1);
        assertThat(replica.rejections(Rejection.DUPLICATE)).isEqualTo(1);
    }

    @Test
    void dropsAndCountsBadMessagesWithoutThrowing() {
        Block b = child(Block.genesis(), 1, 2, "a");
        Statement prepared = new Statement(1, Phase.PREPARE, b.hash());
        QuorumCert forged = certificate(prepared, 1, 2, 3);
        forged.signatures()[2] = forged.signatures()[1];
        QuorumCert repeatedSigner = certificate(prepared, 1, 2, 2);
        QuorumCert tooFew = certificate(prepared, 1, 2);
        QuorumCert outsider = new QuorumCert(1, Phase.PREPARE, b.hash(), new int[]{1, 2, 9}, certificate(prepared, 1, 2, 3).signatures());

        replica.onMessage(7, new Msg.BlockRequest(b.hash()));
        replica.onMessage(2, new Msg.Prepare(1, b, QuorumCert.genesis()));
        for (QuorumCert bad : List.of(forged, repeatedSigner, tooFew, outsider)) {
            replica.onMessage(1, new Msg.Certified(bad));
        }
        replica.onMessage(3, vote(3, prepared));
        replica.onMessage(3, vote(2, prepared));
        replica.onMessage(1, new Msg.Prepare(1, child(Block.genesis(), 2, 1, "b"), QuorumCert.genesis()));
        String[] tooMany = new String[ReplicaConfig.DEFAULTS.maxBatchCommands() + 1];
        Arrays.fill(tooMany, "c");
        replica.onMessage(1, new Msg.Prepare(1, child(Block.genesis(), 1, 1, tooMany), QuorumCert.genesis()));
        Block unnumbered = new Block(Block.genesis().hash(), 1, 1, 1, List.of("no header".getBytes(StandardCharsets.UTF_8)));
        replica.onMessage(1, new Msg.Prepare(1, unnumbered, QuorumCert.genesis()));
        replica.onMessage(2, new Msg.Forward(List.of(command(3, 1, "in 3's name").encode(), new byte[3])));

        assertThat(replica.rejections(Rejection.UNKNOWN_SENDER)).isEqualTo(1);
        assertThat(replica.rejections(Rejection.WRONG_LEADER)).isEqualTo(2);
        assertThat(replica.rejections(Rejection.BAD_CERTIFICATE)).isEqualTo(4);
        assertThat(replica.rejections(Rejection.BAD_VOTE)).isEqualTo(1);
        assertThat(replica.rejections(Rejection.MALFORMED_PROPOSAL)).isEqualTo(3);
        assertThat(replica.rejections(Rejection.MALFORMED_FORWARD)).isEqualTo(2);
        assertThat(out.sentOf(Msg.Vote.class)).isEmpty();
    }

    @Test
    void followsACertifiedBlockThroughTheThreePhasesAndDecidesIt() {
        Block b = child(Block.genesis(), 1, 1, "a", "b");
        replica.onMessage(1, new Msg.Prepare(1, b, QuorumCert.genesis()));
        QuorumCert prepareQc = certificate(new Statement(1, Phase.PREPARE, b.hash()), 1, 2, 3);
        QuorumCert precommitQc = certificate(new Statement(1, Phase.PRE_COMMIT, b.hash()), 1, 2, 3);
        QuorumCert commitQc = certificate(new Statement(1, Phase.COMMIT, b.hash()), 1, 2, 3);

        replica.onMessage(1, new Msg.Certified(prepareQc));
        assertThat(replica.highQc()).isEqualTo(prepareQc);
        replica.onMessage(1, new Msg.Certified(precommitQc));
        assertThat(replica.lockedQc()).isEqualTo(precommitQc);
        replica.onMessage(3, new Msg.Certified(commitQc));

        assertThat(out.sentOf(Msg.Vote.class)).extracting(v -> v.statement().phase())
                .containsExactly(Phase.PREPARE, Phase.PRE_COMMIT, Phase.COMMIT);
        assertThat(out.delivered).containsExactly(b);
        assertThat(out.applied).extracting(c -> new String(c, StandardCharsets.UTF_8)).containsExactly("a", "b");
        assertThat(replica.view()).isEqualTo(2);
        assertThat(out.sentOf(Msg.NewView.class).getLast())
                .isEqualTo(new Msg.NewView(2, prepareQc, commitQc));
    }

    @Test
    void refusesAProposalThatForksBelowItsLockWithAnOlderJustification() {
        Block locked = child(Block.genesis(), 1, 1, "a");
        replica.onMessage(1, new Msg.Prepare(1, locked, QuorumCert.genesis()));
        replica.onMessage(1, new Msg.Certified(certificate(new Statement(1, Phase.PREPARE, locked.hash()), 1, 2, 3)));
        replica.onMessage(1, new Msg.Certified(certificate(new Statement(1, Phase.PRE_COMMIT, locked.hash()), 1, 2, 3)));
        replica.onTimeout(1);
        replica.onMessage(2, new Msg.NewView(2, QuorumCert.genesis(), null));
        replica.onMessage(3, new Msg.NewView(2, QuorumCert.genesis(), null));
        assertThat(replica.view()).isEqualTo(2);

        replica.onMessage(2, new Msg.Prepare(2, child(Block.genesis(), 2, 2, "fork"), QuorumCert.genesis()));

        assertThat(replica.rejections(Rejection.UNSAFE_PROPOSAL)).isEqualTo(1);
        assertThat(out.sentOf(Msg.Vote.class)).extracting(v -> v.statement().view()).containsOnly(1L);
    }

    @Test
    void asLeaderProposesItsCommandsAndCertifiesTheVotesOfAQuorum() {
        RecordingOutbox leaderOut = new RecordingOutbox();
        Replica leader = new Replica(1, committee, KEYS.signatures(1), leaderOut, ReplicaConfig.DEFAULTS);
        leader.start();
        leader.submit("x".getBytes(StandardCharsets.UTF_8));
        assertThat(leaderOut.sentOf(Msg.Prepare.class)).as("no proposal before n - f NEW-VIEWs").isEmpty();
        leader.onMessage(0, new Msg.NewView(1, QuorumCert.genesis(), null));
        leader.onMessage(2, new Msg.NewView(1, QuorumCert.genesis(), null));

        Block proposed = leaderOut.sentOf(Msg.Prepare.class).getFirst().block();
        assertThat(proposed.commands()).extracting(c -> new String(Command.decode(c).payload(), StandardCharsets.UTF_8))
                .containsExactly("x");
        Statement s = new Statement(1, Phase.PREPARE, proposed.hash());
        leader.onMessage(2, new Msg.Vote(s, 2, vote(3, s).signature()));
        leader.onMessage(2, vote(0, s));
        leader.onMessage(0, vote(0, s));
        assertThat(leaderOut.sentOf(Msg.Certified.class)).as("two votes, its own and 0's").isEmpty();
        leader.onMessage(2, vote(2, s));

        QuorumCert qc = leaderOut.sentOf(Msg.Certified.class).getFirst().qc();
        assertThat(qc.statement()).isEqualTo(s);
        assertThat(Set.of(qc.signers()[0], qc.signers()[1], qc.signers()[2])).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(leader.rejections(Rejection.BAD_VOTE)).isEqualTo(2);

        leader.onMessage(3, vote(3, s));
        leader.onMessage(3, vote(3, new Statement(1, Phase.PREPARE, Block.genesis().hash())));
        assertThat(leaderOut.sentOf(Msg.Certified.class)).as("a vote after the quorum changes nothing").hasSize(1);
        assertThat(leader.rejections(Rejection.UNEXPECTED_VOTE)).as("only the vote for another block counts").isEqualTo(1);
    }

    @Test
    void lengthensTimeoutsOnlyAfterViewsThatHadWorkToDo() {
        replica.onTimeout(1);
        replica.onTimeout(1);
        assertThat(out.failedViews).as("idle view 1 timed out twice").containsExactly(0, 0, 0);

        replica.submit("late".getBytes(StandardCharsets.UTF_8));
        replica.onTimeout(1);
        assertThat(out.failedViews.getLast()).isEqualTo(1);
        replica.onTimeout(7);
        assertThat(out.failedViews).as("a stale timer changes nothing").hasSize(4);
    }

    @Test
    void keepsCommandsSubmittedBeforeStartForItsFirstProposal() {
        RecordingOutbox leaderOut = new RecordingOutbox();
        Replica leader = new Replica(1, committee, KEYS.signatures(1), leaderOut, ReplicaConfig.DEFAULTS);
        assertThat(leader.submit("early".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(leaderOut.sent).isEmpty();

        leader.start();
        leader.onMessage(0, new Msg.NewView(1, QuorumCert.genesis(), null));
        leader.onMessage(2, new Msg.NewView(1, QuorumCert.genesis(), null));

        assertThat(leaderOut.sentOf(Msg.Prepare.class).getFirst().block().commands()).hasSize(1);
    }

    @Test
    void forwardsItsCommandsToTheLeaderAndAgainToTheNextOneUntilDecided() {
        replica.submit("x".getBytes(StandardCharsets.UTF_8));
        assertThat(out.sent.getLast().to()).as("view 1's leader").isEqualTo(1);
        assertThat(payloads(((Msg.Forward) out.sent.getLast().msg()).commands())).containsExactly("x");

        replica.onTimeout(1);
        replica.onMessage(2, new Msg.NewView(2, QuorumCert.genesis(), null));
        replica.onMessage(3, new Msg.NewView(2, QuorumCert.genesis(), null));
        assertThat(replica.view()).isEqualTo(2);
        List<RecordingOutbox.Sent> toTwo = out.sent.stream().filter(m -> m.to() == 2).toList();
        assertThat(toTwo).extracting(m -> m.msg().getClass().getSimpleName()).as("the forward goes before the NEW-VIEW")
                .containsExactly("Forward", "NewView");
        assertThat(((Msg.Forward) toTwo.getFirst().msg()).commands()).singleElement()
                .satisfies(c -> assertThat(Command.decode(c)).extracting(Command::origin, Command::seq).containsExactly(0, 1L));

        decide(child(Block.genesis(), 2, 2, List.of(command(0, 1, "x"))), QuorumCert.genesis());
        assertThat(replica.ownCommands()).isZero();
        assertThat(out.sentOf(Msg.Forward.class)).as("nothing left to forward in view 3").hasSize(2);
    }

    @Test
    void appliesACommandDecidedTwiceOnceAndTheSameOnEveryReplica() {
        Block first = child(Block.genesis(), 1, 1, List.of(command(2, 1, "a"), command(2, 1, "a"), command(3, 1, "b")));
        QuorumCert firstQc = decide(first, QuorumCert.genesis());
        Block second = child(first, 2, 2, List.of(command(3, 1, "b"), command(2, 2, "c"), command(2, 1, "a")));
        decide(second, firstQc);

        assertThat(out.delivered).containsExactly(first, second);
        assertThat(out.applied).extracting(c -> new String(c, StandardCharsets.UTF_8)).containsExactly("a", "b", "c");
    }

    @Test
    void renumbersItsCommandWhenAFaultyLeaderDecidesOtherBytesUnderItsNumber() {
        replica.submit("mine".getBytes(StandardCharsets.UTF_8));
        QuorumCert qc = decide(child(Block.genesis(), 1, 1, List.of(command(0, 1, "forged"))), QuorumCert.genesis());
        assertThat(replica.renumberedCommands()).isEqualTo(1);
        assertThat(replica.ownCommands()).isEqualTo(1);
        Msg.Forward again = out.sentOf(Msg.Forward.class).getLast();
        assertThat(again.commands()).singleElement()
                .satisfies(c -> assertThat(Command.decode(c)).extracting(Command::origin, Command::seq).containsExactly(0, 2L));

        decide(new Block(out.delivered.getLast().hash(), 2, 2, 2, again.commands()), qc);
        assertThat(out.applied).extracting(c -> new String(c, StandardCharsets.UTF_8)).containsExactly("forged", "mine");
        assertThat(replica.ownCommands()).isZero();
    }

    @Test
    void restartedFromItsPersistedStateItVotesNoMoreInTheViewItVotedInAndKeepsItsLock() {
        Block locked = child(Block.genesis(), 1, 1, "a");
        replica.onMessage(1, new Msg.Prepare(1, locked, QuorumCert.genesis()));
        replica.onMessage(1, new Msg.Certified(certificate(new Statement(1, Phase.PREPARE, locked.hash()), 1, 2, 3)));
        replica.onMessage(1, new Msg.Certified(certificate(new Statement(1, Phase.PRE_COMMIT, locked.hash()), 1, 2, 3)));
        assertThat(out.persisted).as("one state per vote, saved before it leaves").hasSize(3);
        SafetyState saved = out.persisted.getLast();
        assertThat(saved.view()).isEqualTo(1);
        assertThat(saved.locked().phase()).isEqualTo(Phase.PRE_COMMIT);

        RecordingOutbox afterOut = new RecordingOutbox();
        Replica restarted = new Replica(0, committee, KEYS.signatures(0), afterOut, ReplicaConfig.DEFAULTS);
        restarted.restore(saved);
        restarted.start();
        assertThat(restarted.view()).isEqualTo(1);
        restarted.onMessage(1, new Msg.Prepare(1, locked, QuorumCert.genesis()));
        assertThat(restarted.rejections(Rejection.DUPLICATE)).as("the proposal replayed").isEqualTo(1);
        restarted.onMessage(1, new Msg.Prepare(1, child(Block.genesis(), 1, 1, "other"), QuorumCert.genesis()));
        assertThat(afterOut.sentOf(Msg.Vote.class)).as("no vote in view 1 again, for any block").isEmpty();
        assertThat(restarted.rejections(Rejection.UNSAFE_PROPOSAL)).as("another block, off the lock it kept").isEqualTo(1);

        restarted.onTimeout(1);
        restarted.onMessage(2, new Msg.NewView(2, QuorumCert.genesis(), null));
        restarted.onMessage(3, new Msg.NewView(2, QuorumCert.genesis(), null));
        restarted.onMessage(2, new Msg.Prepare(2, child(Block.genesis(), 2, 2, "fork"), QuorumCert.genesis()));
        assertThat(afterOut.sentOf(Msg.Vote.class)).as("a fork below the lock it kept").isEmpty();
        assertThat(restarted.rejections(Rejection.UNSAFE_PROPOSAL)).isEqualTo(2);
    }

    @Test
    void fourReplicasWithEd25519DecideEverySubmittedCommandInOneOrder() {
        Simulation sim = new Simulation(42, 4, 0, Simulation.Fault.SILENT,
                new Simulation.Conditions(0, 0, 1, 5, 0, 200), KEYS::signatures, new ReplicaConfig(4, 100, 8));
        Set<String> commands = new HashSet<>();
        for (int c = 0; c < 24; c++) {
            commands.add("c" + c);
            sim.submitAt(c, c % 4, ("c" + c).getBytes(StandardCharsets.UTF_8));
        }
        sim.start();

        assertThat(sim.runUntil(100_000, () -> HotStuffPropertiesTest.allDecided(sim, commands))).isTrue();

        HotStuffPropertiesTest.assertSafety(sim);
        HotStuffPropertiesTest.assertValidity(sim, commands);
        List<String> fromReplicaOne = sim.commands(2).stream().filter(c -> Integer.parseInt(c.substring(1)) % 4 == 1)
                .collect(Collectors.toList());
        assertThat(fromReplicaOne).as("a replica's commands are decided in submission order")
                .containsExactly("c1", "c5", "c9", "c13", "c17", "c21");
        assertThat(sim.replica(3).rejections(Rejection.BAD_CERTIFICATE)).isZero();
    }
}
