package dev.d2r2.cluster.raft;

/**
 * One replica as {@code d2r2 cluster status} shows it. Indexes are -1 when the replica did not
 * answer ({@code role} is then {@code UNREACHABLE}); {@code lag} is how many committed entries it
 * has yet to apply.
 */
public record PeerStatus(String name, String address, String role, String leader, long committedIndex,
                         long appliedIndex, long lastLogIndex, long lag, String digest) {
    public static final String UNREACHABLE = "UNREACHABLE";

    static PeerStatus unreachable(String name, String address) {
        return new PeerStatus(name, address, UNREACHABLE, "", -1, -1, -1, -1, "");
    }

    public boolean reachable() {
        return !role.equals(UNREACHABLE);
    }

    PeerStatus withLag(long leaderCommit) {
        return new PeerStatus(name, address, role, leader, committedIndex, appliedIndex, lastLogIndex,
                reachable() ? Math.max(0, leaderCommit - appliedIndex) : -1, digest);
    }
}
