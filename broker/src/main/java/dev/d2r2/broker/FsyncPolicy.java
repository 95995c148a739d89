package dev.d2r2.broker;

import dev.d2r2.core.Durations;

import java.time.Duration;
import java.util.Objects;

/**
 * When a persistent channel forces its log to disk. Whatever the policy, an event is written to
 * the log file before it is acknowledged, so an acknowledged event survives the death of the
 * broker process; {@code always} also makes it survive the loss of the machine.
 */
public record FsyncPolicy(Kind kind, Duration interval) {
    public enum Kind { ALWAYS, INTERVAL, NEVER }

    public static final FsyncPolicy ALWAYS = new FsyncPolicy(Kind.ALWAYS, Duration.ZERO);
    public static final FsyncPolicy NEVER = new FsyncPolicy(Kind.NEVER, Duration.ZERO);

    public FsyncPolicy {
        Objects.requireNonNull(kind, "kind");
        interval = interval == null ? Duration.ZERO : interval;
        if (kind == Kind.INTERVAL && (interval.isNegative() || interval.isZero())) {
            throw new IllegalArgumentException("fsync interval must be positive");
        }
    }

    public static FsyncPolicy every(Duration interval) {
        return new FsyncPolicy(Kind.INTERVAL, interval);
    }

    /** Parses {@code always}, {@code never} or a duration such as {@code 100ms}. */
    public static FsyncPolicy parse(String text) {
        return switch (text.strip().toLowerCase()) {
            case "always" -> ALWAYS;
            case "never" -> NEVER;
            default -> every(Durations.parse(text));
        };
    }

    @Override
    public String toString() {
        return kind == Kind.INTERVAL ? Durations.format(interval) : kind.name().toLowerCase();
    }
}
