package dev.d2r2.bft;

import java.util.Arrays;
import java.util.Objects;

/**
 * A quorum certificate (paper §4.2, "Quorum certificates"): n − f signatures from distinct
 * replicas over the same (view, phase, block) statement. The arrays are owned by the certificate and never written.
 *
 * @param signers    replica ids, one per signature, in the same order
 * @param signatures each signer's signature over {@link Statement#bytes}
 */
public record QuorumCert(long view, Phase phase, BlockHash block, int[] signers, byte[][] signatures) {
    private static final QuorumCert GENESIS =
            new QuorumCert(0, Phase.PREPARE, Block.genesis().hash(), new int[0], new byte[0][]);

    public QuorumCert {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(block, "block");
        for (byte[] signature : signatures) {
            Objects.requireNonNull(signature, "signature");
        }
        if (signers.length != signatures.length) {
            throw new IllegalArgumentException(signers.length + " signers but " + signatures.length + " signatures");
        }
    }

    /** The certificate every replica holds at start: the genesis block, prepared in view 0, unsigned. */
    public static QuorumCert genesis() {
        return GENESIS;
    }

    public boolean isGenesis() {
        return view == 0 && phase == Phase.PREPARE && block.equals(GENESIS.block) && signers.length == 0;
    }

    /** What this certificate vouches for, without the signatures. */
    public Statement statement() {
        return new Statement(view, phase, block);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuorumCert q && view == q.view && phase == q.phase && block.equals(q.block)
                && Arrays.equals(signers, q.signers) && Arrays.deepEquals(signatures, q.signatures);
    }

    @Override
    public int hashCode() {
        return statement().hashCode() * 31 + Arrays.hashCode(signers);
    }

    @Override
    public String toString() {
        return "QC[" + phase + " v=" + view + " " + block + " by " + Arrays.toString(signers) + "]";
    }
}
