package dev.d2r2.bft;

/**
 * The n = 3f + 1 replicas, numbered 0 … n − 1, and the rules derived from n: quorums of n − f
 * and the leader of each view, rotating as {@code view mod n} (paper Algorithm 2, "LEADER(curView)").
 */
public record Committee(int size) {
    public Committee {
        if (size < 4 || (size - 1) % 3 != 0) {
            throw new IllegalArgumentException("a Byzantine committee has n = 3f + 1 replicas, f >= 1; got n = " + size);
        }
    }

    /** The number of faulty replicas tolerated. */
    public int faults() {
        return (size - 1) / 3;
    }

    /** n − f = 2f + 1: the votes in a certificate and the NEW-VIEW messages a leader waits for. */
    public int quorum() {
        return size - faults();
    }

    public int leader(long view) {
        return (int) Math.floorMod(view, (long) size);
    }

    public boolean isMember(int replica) {
        return replica >= 0 && replica < size;
    }

    /** Whether {@code signers} are at least a quorum of members, none twice: what a certificate needs. */
    public boolean isQuorumOfDistinctMembers(int[] signers) {
        if (signers.length < quorum() || signers.length > size) {
            return false;
        }
        boolean[] seen = new boolean[size];
        for (int s : signers) {
            if (!isMember(s) || seen[s]) {
                return false;
            }
            seen[s] = true;
        }
        return true;
    }
}
