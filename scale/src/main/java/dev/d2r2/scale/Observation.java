package dev.d2r2.scale;

import java.util.Map;

/** One reading of the edge: each backend's active dialogs, and new calls a second at the edge (NaN when unknown). */
public record Observation(long time, Map<String, Long> dialogs, double callsPerSecond) {
    public Observation {
        dialogs = Map.copyOf(dialogs);
    }
}
