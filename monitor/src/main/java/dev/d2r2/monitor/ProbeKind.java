package dev.d2r2.monitor;

import dev.d2r2.core.probe.Probe;

import java.time.Duration;

/**
 * A kind of probe, found by its config key ({@code kind: tcp}) through {@link java.util.ServiceLoader}:
 * a new probe is one class and one line in {@code META-INF/services/dev.d2r2.monitor.ProbeKind}.
 */
public interface ProbeKind {
    /** The config key. */
    String key();

    /** Checks the options this kind needs and refuses the ones it does not take. */
    void validate(ProbeConfig config);

    Probe create(ProbeConfig config);

    /** The interval when the config gives none. */
    default Duration defaultInterval() {
        return ProbeConfig.DEFAULT_INTERVAL;
    }

    /** The metric prefix when the config names none. */
    default String defaultName(ProbeConfig config) {
        return key();
    }
}
