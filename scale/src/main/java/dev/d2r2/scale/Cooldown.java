package dev.d2r2.scale;

import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;

/**
 * How long after a step of the type the next step in each direction waits. A scale-out waits
 * only for the last scale-out (overload while a clone boots must not clone again); a scale-in
 * also waits for the last scale-out, so that a fresh instance is not drained at once.
 */
public record Cooldown(Duration out, Duration in) {
    private static final Duration DEFAULT_OUT = Duration.ofSeconds(5);
    private static final Duration DEFAULT_IN = Duration.ofSeconds(60);
    public static final Cooldown DEFAULT = new Cooldown(DEFAULT_OUT, DEFAULT_IN);

    public Cooldown {
        out = out == null ? DEFAULT_OUT : out;
        in = in == null ? DEFAULT_IN : in;
        if (out.isNegative()) {
            throw new InvalidAt("out must not be negative", "out");
        }
        if (in.isNegative()) {
            throw new InvalidAt("in must not be negative", "in");
        }
    }
}
