package dev.d2r2.cluster.raft;

import java.util.List;
import java.util.Optional;

/** The members of the cluster, each as it answered (or not), and the leader they agree on. */
public record ClusterStatus(Optional<String> leader, List<PeerStatus> peers) {

    /** True when every member answered with the same control-state digest. */
    public boolean converged() {
        return peers.stream().allMatch(PeerStatus::reachable)
                && peers.stream().map(PeerStatus::digest).distinct().count() == 1;
    }

    /** A table for people, one line per replica. */
    public String render() {
        StringBuilder b = new StringBuilder(String.format("leader: %s%n", leader.orElse("none")));
        b.append(String.format("%-16s %-22s %-11s %9s %9s %9s %6s  %s%n",
                "REPLICA", "ADDRESS", "ROLE", "COMMIT", "APPLIED", "LAST", "LAG", "DIGEST"));
        for (PeerStatus p : peers) {
            b.append(String.format("%-16s %-22s %-11s %9s %9s %9s %6s  %s%n", p.name(), p.address(), p.role(),
                    index(p.committedIndex()), index(p.appliedIndex()), index(p.lastLogIndex()), index(p.lag()),
                    p.digest().isEmpty() ? "-" : p.digest().substring(0, 16)));
        }
        return b.toString();
    }

    private static String index(long i) {
        return i < 0 ? "-" : Long.toString(i);
    }
}
