package dev.d2r2.broker;

/**
 * How a channel's events survive the loss of a broker, on a cluster (a lone broker keeps every
 * channel {@link #LOCAL}):
 * {@link #LOCAL}: on the replica that took them only;
 * {@link #REPLICATED}: appended through the cluster's Raft log, acknowledged once a majority
 * has them, in every replica's log at the same offsets (needs {@code persistence: log});
 * {@link #FORWARDED}: TRONE's replicated paths: the publisher sends each event to f + 1 replicas,
 * each forwards it to the others, each stores it once (on a lone broker: as {@link #LOCAL}, once);
 * {@link #ORDERED}: a Byzantine cluster's: decided by HotStuff, taken in the decided order with
 * every event checked again by every replica (needs {@code persistence: log} and protection
 * {@code PKS} or {@code PKE}, and a broker that runs a BFT replica).
 */
public enum Durability {
    LOCAL, REPLICATED, FORWARDED, ORDERED
}
