package dev.d2r2.diagnosis;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The diagnosis role's configuration ({@code d2r2 diagnose run --config}, or {@code diagnosis:} in
 * {@code d2r2 run}).
 *
 * <pre>
 * profiles: profiles.json          # from `d2r2 diagnose train` (relative to this file)
 * metrics: [os.cpu_user_pct, ...]  # optional: the metric set the profiles must have been trained on
 * input: metrics                   # the monitor's samples (default metrics)
 * channel: diagnosis               # where indictments, clearances and matrices go (default diagnosis)
 * groups:                          # peers that should behave alike (monitor service names);
 *   sip: [127.0.0.1:5071, 127.0.0.1:5072, 127.0.0.1:5073]   # default: one group of every peer seen
 * backends: edge                   # and/or the group "backends": the edge's backends, from its telemetry on this channel
 * grace: 1s                        # how long after a window's end its late samples still count (default a fifth of the window)
 * </pre>
 */
public record DiagnosisConfig(String profiles, List<String> metrics, String input, String channel,
                              Map<String, List<String>> groups, String backends, Duration grace) {
    public static final String DEFAULT_INPUT = "metrics";
    public static final String DEFAULT_CHANNEL = "diagnosis";
    /** The group's name when the configuration gives none. */
    public static final String ALL = "all";
    /** The group of the edge's backends ({@code backends: CHANNEL}). */
    public static final String BACKENDS = "backends";

    public DiagnosisConfig {
        if (profiles == null || profiles.isBlank()) {
            throw new InvalidAt("diagnosis needs profiles: FILE (from d2r2 diagnose train)", "profiles");
        }
        metrics = metrics == null ? null : List.copyOf(metrics);
        input = input == null ? DEFAULT_INPUT : input;
        channel = channel == null ? DEFAULT_CHANNEL : channel;
        groups = groups == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
        Map<String, String> seen = new HashMap<>();
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            if (g.getValue() == null || g.getValue().size() < VoteSettings.MIN_PEERS) {
                throw new InvalidAt("group " + g.getKey() + " has fewer than " + VoteSettings.MIN_PEERS
                        + " peers: with fewer, no peer can be outvoted", "groups", g.getKey());
            }
            for (String peer : g.getValue()) {
                String before = seen.put(peer, g.getKey());
                if (before != null) {
                    throw new InvalidAt("peer " + peer + " is in groups " + before + " and " + g.getKey(), "groups", g.getKey());
                }
            }
        }
        if (backends != null && (backends.isBlank() || groups.containsKey(BACKENDS))) {
            throw new InvalidAt(backends.isBlank() ? "backends names the edge's telemetry channel, e.g. backends: edge"
                    : "group " + BACKENDS + " is the edge's backend set (backends: " + backends + "): name the configured one otherwise",
                    "backends");
        }
        if (grace != null && grace.isNegative()) {
            throw new InvalidAt("grace must not be negative", "grace");
        }
    }

    /** The channels the diagnosis reads: the samples, and the edge's telemetry when its backends form a group. */
    public List<String> inputs() {
        return backends == null ? List.of(input) : List.of(input, backends);
    }

    /** Whether the groups are only the configured ones (samples of other peers are not watched). */
    public boolean groupsConfigured() {
        return !groups.isEmpty() || backends != null;
    }

    /** The grace for a window of this length. */
    public long graceMillis(long windowMs) {
        return grace == null ? windowMs / 5 : grace.toMillis();
    }
}
