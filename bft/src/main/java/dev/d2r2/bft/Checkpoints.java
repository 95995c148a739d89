package dev.d2r2.bft;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A replica's checkpoints, as in PBFT's stable checkpoints but on HotStuff's decided chain: at
 * every {@code interval}-th decided height the replica signs the digest of its state
 * ({@link Checkpoint}) and broadcasts the vote; n − f matching votes make the checkpoint stable,
 * kept with its {@link CheckpointCert} for replicas too far behind to fetch the blocks. Votes for
 * heights this replica has not reached yet are kept, a few per voter (a faulty voter fills only
 * its own share).
 */
final class Checkpoints {
    private static final int KEPT_PER_VOTER = 4;
    private final Committee committee;
    private final Signatures signatures;
    private final List<TreeMap<Long, Msg.CheckpointVote>> votes = new ArrayList<>();
    private Checkpoint candidate;
    private BlockHash candidateDigest;
    private Msg.CheckpointResponse stable;

    Checkpoints(Committee committee, Signatures signatures) {
        this.committee = committee;
        this.signatures = signatures;
        for (int i = 0; i < committee.size(); i++) {
            votes.add(new TreeMap<>());
        }
    }

    /** Takes this replica's checkpoint and returns its signed vote, to broadcast. */
    Msg.CheckpointVote take(int self, Checkpoint checkpoint) {
        candidate = checkpoint;
        candidateDigest = checkpoint.digest();
        byte[] signature = signatures.sign(CheckpointCert.signed(checkpoint.height(), checkpoint.block().hash(),
                candidateDigest));
        Msg.CheckpointVote own = new Msg.CheckpointVote(checkpoint.height(), checkpoint.block().hash(), candidateDigest,
                self, signature);
        keep(own);
        certify();
        return own;
    }

    /** A peer's vote; false when it is not {@code from}'s or its signature does not verify. */
    boolean add(int from, Msg.CheckpointVote v) {
        if (v.voter() != from) {
            return false;
        }
        if (stable != null && v.height() <= stable.checkpoint().height()) {
            return true;
        }
        if (!signatures.verify(from, CheckpointCert.signed(v.height(), v.block(), v.digest()), v.signature())) {
            return false;
        }
        keep(v);
        certify();
        return true;
    }

    private void keep(Msg.CheckpointVote v) {
        TreeMap<Long, Msg.CheckpointVote> mine = votes.get(v.voter());
        mine.put(v.height(), v);
        while (mine.size() > KEPT_PER_VOTER) {
            mine.pollFirstEntry();
        }
    }

    private void certify() {
        if (candidate == null || stable != null && stable.checkpoint() == candidate) {
            return;
        }
        int[] signers = new int[committee.quorum()];
        byte[][] sigs = new byte[committee.quorum()][];
        int count = 0;
        for (int voter = 0; voter < committee.size() && count < signers.length; voter++) {
            Msg.CheckpointVote v = votes.get(voter).get(candidate.height());
            if (v != null && v.block().equals(candidate.block().hash()) && v.digest().equals(candidateDigest)) {
                signers[count] = voter;
                sigs[count] = v.signature();
                count++;
            }
        }
        if (count == signers.length) {
            stable = new Msg.CheckpointResponse(candidate,
                    new CheckpointCert(candidate.height(), candidate.block().hash(), candidateDigest, signers, sigs));
        }
    }

    /**
     * Whether {@code cert} proves {@code checkpoint}: same height and block, the state's digest,
     * n − f distinct members whose signatures verify.
     */
    boolean proves(Checkpoint checkpoint, CheckpointCert cert) {
        if (cert.height() != checkpoint.height() || !cert.block().equals(checkpoint.block().hash())
                || !cert.digest().equals(checkpoint.digest())) {
            return false;
        }
        if (!committee.isQuorumOfDistinctMembers(cert.signers())) {
            return false;
        }
        byte[] signed = CheckpointCert.signed(cert.height(), cert.block(), cert.digest());
        for (int i = 0; i < cert.signers().length; i++) {
            if (!signatures.verify(cert.signers()[i], signed, cert.signatures()[i])) {
                return false;
            }
        }
        return true;
    }

    /** A proven checkpoint this replica installed: its own stable one from now on, to pass on. */
    void installed(Checkpoint checkpoint, CheckpointCert cert) {
        candidate = checkpoint;
        candidateDigest = cert.digest();
        stable = new Msg.CheckpointResponse(checkpoint, cert);
    }

    /** The stable checkpoint, if it is above {@code height}; else null. */
    Msg.CheckpointResponse newerThan(long height) {
        return stable != null && stable.checkpoint().height() > height ? stable : null;
    }

    /** The newest stable checkpoint's certificate, or null. */
    CheckpointCert stable() {
        return stable == null ? null : stable.cert();
    }
}
