package dev.d2r2.overlay.kad;

import java.time.Duration;

/**
 * Kademlia's parameters. The defaults are the paper's (k = 20, α = 3, hourly replication and
 * refresh, a day's lifetime) with time-outs sized for a LAN or a continent.
 *
 * @param k             contacts per bucket, replicas per value and the size of a lookup's answer
 * @param alpha         queries a lookup keeps in flight
 * @param rpcTimeout    how long a query waits for each attempt's answer
 * @param attempts      how many times a query is sent before the node counts as failed (datagrams get lost)
 * @param lookupTimeout a lookup ends with what it has after this long
 * @param maxHops       a lookup ignores contacts learned more than this many steps away (answers
 *                      from a chain of nodes each naming a still closer, maybe invented, one)
 * @param maxFailures   consecutive failed queries after which a contact leaves its bucket
 * @param replicate     a holder stores each value again on the k closest nodes this often
 *                      (skipped when another holder did so since)
 * @param republish     an owner stores its own values again this often
 * @param valueTtl      a value expires this long after its owner last stored it
 * @param refresh       a bucket with no lookup this long is refreshed with a lookup of a random id in it
 * @param maintenance   how often the node looks for due replication, refresh and expiry
 * @param maxValues     the most values a node holds (a new key beyond it is refused)
 * @param carriesValues false for an overlay that only routes (Pr2-P2PSIP's forwarding overlay): the
 *                      node refuses and counts STORE and FIND_VALUE, and has no put or get
 */
public record KadConfig(int k, int alpha, Duration rpcTimeout, int attempts, Duration lookupTimeout, int maxHops, int maxFailures, Duration replicate,
                        Duration republish, Duration valueTtl, Duration refresh, Duration maintenance, int maxValues,
                        boolean carriesValues) {

    public static KadConfig defaults() {
        return new KadConfig(20, 3, Duration.ofSeconds(1), 2, Duration.ofSeconds(10), 20, 2, Duration.ofHours(1), Duration.ofHours(12),
                Duration.ofHours(24), Duration.ofHours(1), Duration.ofMinutes(1), 100_000, true);
    }

    public KadConfig(int k, int alpha, Duration rpcTimeout, int attempts, Duration lookupTimeout, int maxHops, int maxFailures, Duration replicate,
                     Duration republish, Duration valueTtl, Duration refresh, Duration maintenance, int maxValues) {
        this(k, alpha, rpcTimeout, attempts, lookupTimeout, maxHops, maxFailures, replicate, republish, valueTtl, refresh, maintenance,
                maxValues, true);
    }

    /** The same parameters for a node that routes only: FIND_NODE and PING. */
    public KadConfig withoutValues() {
        return new KadConfig(k, alpha, rpcTimeout, attempts, lookupTimeout, maxHops, maxFailures, replicate, republish, valueTtl, refresh,
                maintenance, maxValues, false);
    }

    public KadConfig {
        if (k < 1 || alpha < 1 || attempts < 1 || maxHops < 1 || maxFailures < 1 || maxValues < 1) {
            throw new IllegalArgumentException("k, alpha, attempts, maxHops, maxFailures and maxValues must be positive");
        }
        for (Duration d : new Duration[]{rpcTimeout, lookupTimeout, replicate, republish, valueTtl, refresh, maintenance}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("a KadConfig duration must be positive: " + d);
            }
        }
    }
}
