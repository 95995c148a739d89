package dev.d2r2.diagnosis;

/**
 * A peer voted the culprit.
 *
 * @param distance its √JSD to the peer that made the majority (the smallest distance among the majority)
 * @param votes    how many of the other voters it is farther than the threshold from
 * @param voters   how many peers voted, itself included
 * @param effect   how far its vector in the window is from those of the majority, in pairwise spreads of its most different metric
 * @param metric   the metric of that largest difference
 * @param windows  the consecutive suspect windows behind it
 */
public record Indictment(String peer, double distance, int votes, int voters, double effect, String metric, int windows) {
}
