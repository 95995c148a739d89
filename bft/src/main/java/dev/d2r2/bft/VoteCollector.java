package dev.d2r2.bft;

import java.util.Arrays;

/**
 * The leader's tally for one phase of its view (paper, Algorithm 2: "wait for n − f votes"):
 * distinct voters for one statement, until a certificate forms. Reused from phase to phase.
 */
final class VoteCollector {
    private final int quorum;
    private final boolean[] voted;
    private final int[] signers;
    private final byte[][] signatures;
    private final Statement[] certified = new Statement[Phase.values().length];
    private Statement expected;
    private int count;

    VoteCollector(Committee committee) {
        this.quorum = committee.quorum();
        this.voted = new boolean[committee.size()];
        this.signers = new int[quorum];
        this.signatures = new byte[quorum][];
    }

    /** Starts collecting votes for {@code statement}. */
    void expect(Statement statement) {
        expected = statement;
        count = 0;
        Arrays.fill(voted, false);
    }

    /** Stops collecting: every vote is unexpected until the next {@link #expect}. */
    void clear() {
        expected = null;
    }

    boolean expects(Statement statement) {
        return statement.equals(expected);
    }

    /** Whether {@code statement} is the last one certified in its phase: a vote that came after the quorum. */
    boolean wasCertified(Statement statement) {
        return statement.equals(certified[statement.phase().ordinal()]);
    }

    boolean hasVoted(int voter) {
        return voted[voter];
    }

    /** Adds a verified vote; returns the certificate when this vote completes the quorum, else null. */
    QuorumCert add(int voter, byte[] signature) {
        voted[voter] = true;
        signers[count] = voter;
        signatures[count] = signature;
        count++;
        if (count < quorum) {
            return null;
        }
        QuorumCert qc = new QuorumCert(expected.view(), expected.phase(), expected.block(),
                signers.clone(), signatures.clone());
        certified[expected.phase().ordinal()] = expected;
        expected = null;
        return qc;
    }
}
