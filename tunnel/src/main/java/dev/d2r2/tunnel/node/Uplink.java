package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

/**
 * One of a multihomed EN's uplinks: the local address its socket binds (HOST:PORT), the cost added
 * to its score, and (tests only) the {@link TestDelay} of every frame sent on it, in place of the
 * EN's own {@code test-delay}.
 */
public record Uplink(String name, String local, Double penalty, @JsonProperty("test-delay") TestDelay testDelay) {
    public Uplink {
        NodeChecks.required(name, "name");
        NodeChecks.hostPort(local, "local");
        if (penalty != null && !(penalty >= 0)) {
            throw new InvalidAt("must not be negative", "penalty");
        }
    }

    public Uplink(String name, String local, Double penalty) {
        this(name, local, penalty, null);
    }

    double penaltyOrZero() {
        return penalty == null ? 0 : penalty;
    }
}
