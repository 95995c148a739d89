package dev.d2r2.tunnel.node;

import dev.d2r2.core.config.InvalidAt;

/** One of a multihomed EN's uplinks: the local address its socket binds (HOST:PORT) and the cost added to its score. */
public record Uplink(String name, String local, Double penalty) {
    public Uplink {
        NodeChecks.required(name, "name");
        NodeChecks.hostPort(local, "local");
        if (penalty != null && !(penalty >= 0)) {
            throw new InvalidAt("must not be negative", "penalty");
        }
    }

    double penaltyOrZero() {
        return penalty == null ? 0 : penalty;
    }
}
