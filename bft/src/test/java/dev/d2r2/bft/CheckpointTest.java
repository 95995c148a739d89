package dev.d2r2.bft;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One replica offered checkpoints by hand, with real Ed25519 keys: it installs only a state whose
 * digest n − f distinct replicas signed, and the record of applied commands round-trips.
 */
class CheckpointTest {
    private static final Keys KEYS = new Keys(4);
    private static final ReplicaConfig CONFIG = new ReplicaConfig(10, 100, 4);
    private final RecordingOutbox out = new RecordingOutbox();
    private Replica replica;
    private Checkpoint genuine;

    @BeforeEach
    void replicaZeroAtHeightZeroAndACheckpointAtHeightThree() {
        replica = new Replica(0, new Committee(4), KEYS.signatures(0), out, CONFIG);
        replica.start();
        Block b1 = new Block(Block.genesis().hash(), 1, 1, 1, List.of(new Command(1, 1, bytes("a")).encode()));
        Block b2 = new Block(b1.hash(), 2, 2, 2, List.of(new Command(2, 1, bytes("b")).encode()));
        Block b3 = new Block(b2.hash(), 3, 3, 3, List.of(new Command(1, 2, bytes("c")).encode()));
        AppliedCommands record = new AppliedCommands(4, 2 * CONFIG.maxPendingCommands());
        record.apply(new Command.Id(1, 1));
        record.apply(new Command.Id(2, 1));
        record.apply(new Command.Id(1, 2));
        genuine = new Checkpoint(b3, record.encode(), bytes("a,b,c"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A certificate over {@code digest}, each named signer's signature made with {@code keyOf}'s key. */
    private static CheckpointCert cert(Checkpoint c, BlockHash digest, int[] signers, int[] keyOf) {
        byte[] signed = CheckpointCert.signed(c.height(), c.block().hash(), digest);
        byte[][] signatures = new byte[signers.length][];
        for (int i = 0; i < signers.length; i++) {
            signatures[i] = KEYS.signatures(keyOf[i]).sign(signed);
        }
        return new CheckpointCert(c.height(), c.block().hash(), digest, signers, signatures);
    }

    private void offer(int from, Checkpoint c, CheckpointCert cert) {
        replica.onMessage(from, new Msg.CheckpointResponse(c, cert));
    }

    @Test
    void forgedCheckpointsAreRefusedAndCountedAndTheGenuineOneIsInstalled() {
        Checkpoint forgedState = new Checkpoint(genuine.block(), genuine.applied(), bytes("a,b,c,forged"));
        int[] three = {1, 2, 3};
        // the genuine certificate, another state
        offer(3, forgedState, cert(genuine, genuine.digest(), three, three));
        // the forged state's digest, every signature the faulty replica's own
        offer(3, forgedState, cert(forgedState, forgedState.digest(), three, new int[]{3, 3, 3}));
        // two signers only, and one signer twice
        offer(3, forgedState, cert(forgedState, forgedState.digest(), new int[]{3, 2}, new int[]{3, 2}));
        offer(3, genuine, cert(genuine, genuine.digest(), new int[]{3, 3, 2}, new int[]{3, 3, 2}));
        // a certificate for another height than the checkpoint's block
        Checkpoint otherBlock = new Checkpoint(new Block(genuine.block().hash(), 4, 4, 0, List.of()),
                genuine.applied(), genuine.state());
        offer(3, otherBlock, cert(genuine, otherBlock.digest(), three, three));
        // a certified state whose applied record does not decode
        Checkpoint garbled = new Checkpoint(genuine.block(), new byte[]{1, 2, 3}, genuine.state());
        offer(3, garbled, cert(garbled, garbled.digest(), three, three));

        assertThat(replica.rejections(Rejection.BAD_CHECKPOINT)).isEqualTo(6);
        assertThat(replica.decidedHeight()).isZero();
        assertThat(out.installed).isEmpty();

        offer(2, genuine, cert(genuine, genuine.digest(), new int[]{2, 3, 1}, new int[]{2, 3, 1}));

        assertThat(out.installed).containsExactly("3:a,b,c");
        assertThat(replica.decidedHeight()).isEqualTo(3);
        assertThat(replica.decidedHash()).isEqualTo(genuine.block().hash());
        assertThat(replica.installedCheckpoints()).isEqualTo(1);
        assertThat(replica.stableCheckpoint().digest()).isEqualTo(genuine.digest());
        assertThat(replica.progress().applied()).isEqualTo(genuine.applied());
    }

    @Test
    void aCheckpointNotAboveTheDecidedHeightIsIgnoredAndAnInstalledOneIsPassedOn() {
        offer(2, genuine, cert(genuine, genuine.digest(), new int[]{1, 2, 3}, new int[]{1, 2, 3}));
        offer(1, genuine, cert(genuine, genuine.digest(), new int[]{1, 2, 3}, new int[]{1, 2, 3}));
        assertThat(out.installed).hasSize(1);

        replica.onMessage(3, new Msg.CheckpointRequest(2));
        replica.onMessage(1, new Msg.CheckpointRequest(3));

        assertThat(out.sent).filteredOn(s -> s.msg() instanceof Msg.CheckpointResponse)
                .extracting(RecordingOutbox.Sent::to).containsExactly(3);
    }

    @Test
    void checkpointVotesFormACertificateAtNMinusFMatchingSignatures() {
        Replica r = new Replica(1, new Committee(4), KEYS.signatures(1), out, new ReplicaConfig(10, 100, 2));
        r.start();
        byte[] signed = CheckpointCert.signed(3, genuine.block().hash(), genuine.digest());
        for (int voter : new int[]{2, 3}) {
            r.onMessage(voter, new Msg.CheckpointVote(3, genuine.block().hash(), genuine.digest(), voter,
                    KEYS.signatures(voter).sign(signed)));
        }
        r.onMessage(0, new Msg.CheckpointVote(3, genuine.block().hash(), genuine.digest(), 0, new byte[64]));

        assertThat(r.rejections(Rejection.BAD_CHECKPOINT)).as("a vote with a bad signature").isEqualTo(1);
        assertThat(r.stableCheckpoint()).as("replica 1 has not reached height 3 itself").isNull();
    }

    @Property(tries = 300)
    void theRecordOfAppliedCommandsRoundTrips(@ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> origins,
                                              @ForAll @Size(max = 60) List<@IntRange(min = 1, max = 40) Integer> seqs) {
        AppliedCommands record = new AppliedCommands(4, 16);
        for (int i = 0; i < Math.min(origins.size(), seqs.size()); i++) {
            record.apply(new Command.Id(origins.get(i), seqs.get(i)));
        }
        byte[] bytes = record.encode();
        AppliedCommands copy = AppliedCommands.decode(bytes, 4, 16);

        assertThat(copy).isNotNull();
        assertThat(copy.encode()).isEqualTo(bytes);
        for (int origin = 0; origin < 4; origin++) {
            for (long seq = 1; seq <= 60; seq++) {
                Command.Id id = new Command.Id(origin, seq);
                assertThat(copy.isApplied(id)).as("%s", id).isEqualTo(record.isApplied(id));
            }
        }
        assertThat(AppliedCommands.decode(bytes, 7, 16)).as("for another committee").isNull();
        if (bytes.length > 2) {
            assertThat(AppliedCommands.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1), 4, 16)).isNull();
        }
    }
}
