package dev.d2r2.app.node;

import dev.d2r2.chronicle.Recognizer;

import java.time.Duration;
import java.util.List;

/**
 * The chronicle role: chronicle files (relative to the configuration's directory), the channels
 * it reads, the channel of its alerts, and the recognizer's lateness and horizon (by default those
 * of live channels, {@link Recognizer.Options#LIVE}).
 */
public record ChroniclesConfig(List<String> files, List<String> inputs, String alerts, Duration lateness, Duration horizon) {
    public ChroniclesConfig {
        files = files == null ? List.of() : List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("chronicles needs files: [FILE, ...]");
        }
        inputs = inputs == null ? List.of("metrics", "alarms") : List.copyOf(inputs);
        alerts = alerts == null ? "alerts" : alerts;
        lateness = lateness == null ? Recognizer.Options.LIVE_LATENESS : lateness;
        horizon = horizon == null ? Recognizer.Options.HORIZON : horizon;
        if (lateness.isNegative() || !horizon.isPositive()) {
            throw new IllegalArgumentException("lateness cannot be negative and horizon must be positive");
        }
    }
}
