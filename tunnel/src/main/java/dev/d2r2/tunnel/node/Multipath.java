package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.tunnel.path.MhConfig;
import dev.d2r2.tunnel.path.PathSelector;

import java.time.Duration;

/**
 * How a multihomed EN scores and chooses its uplinks: the keys and defaults of
 * {@code d2r2 tunnel mh} (docs/tunnels.md), under {@code multipath:} in the EN's configuration.
 */
public record Multipath(String mode, MhConfig.Probe probe, MhConfig.Weights weights, MhConfig.Hysteresis hysteresis,
                        @JsonProperty("score-every") Duration scoreEvery) {
    static final Multipath DEFAULTS = new Multipath(null, null, null, null, null);

    public Multipath {
        mode = mode == null ? PathSelector.Mode.PRIMARY_BACKUP.key() : mode;
        try {
            PathSelector.Mode.of(mode);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "mode");
        }
        probe = probe == null ? new MhConfig.Probe(null, null, null, null) : probe;
        weights = weights == null ? new MhConfig.Weights(null, null, null, null) : weights;
        weights.score();
        hysteresis = hysteresis == null ? new MhConfig.Hysteresis(null, null) : hysteresis;
        NodeChecks.positive(scoreEvery, "score-every");
        scoreEvery = scoreEvery == null ? Duration.ofSeconds(1) : scoreEvery;
    }

    PathSelector.Mode selectorMode() {
        return PathSelector.Mode.of(mode);
    }
}
