package dev.d2r2.diagnosis;

import java.util.List;

/**
 * What one window of one group gave: the voters and their √JSD matrix, the peers indicted and
 * cleared in this window, the peers that had no complete vector, and why the group could not
 * vote (null when it did).
 *
 * @param critical per voter, the distance that decides it: it is suspect when this exceeds the threshold
 * @param effects  per voter, its absolute effect: it is suspect only when this reaches the floor
 * @param histograms per voter, its decayed histogram over the profiles as shares
 */
public record Verdict(long time, List<String> voters, double[][] distances, double[] critical, double[] effects, double[][] histograms,
                      List<Indictment> indicted, List<String> cleared, List<String> missing, String cannotVote) {
    public Verdict {
        voters = List.copyOf(voters);
        indicted = List.copyOf(indicted);
        cleared = List.copyOf(cleared);
        missing = List.copyOf(missing);
    }
}
