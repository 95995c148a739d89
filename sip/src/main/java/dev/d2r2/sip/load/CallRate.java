package dev.d2r2.sip.load;

import dev.d2r2.core.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The callers' rate at run time, ASMONIA's load profile: keys change it ({@code +}/{@code -} by
 * 1 call a second, {@code *}/{@code /} by 10, {@code p} pauses and resumes, {@code q} quits once
 * the calls in progress are over) and a scripted ramp sets it at given times. Changed from any
 * thread (the keyboard's), read by the load's loop.
 */
public final class CallRate {
    /** At {@code at} after the start, the rate becomes {@code rate}. */
    public record Step(Duration at, double rate) {
    }

    private final List<Step> ramp;
    private volatile double rate;
    private volatile boolean paused;
    private volatile boolean quit;
    private int applied;

    public CallRate(double rate, List<Step> ramp) {
        if (rate < 0) {
            throw new IllegalArgumentException("a rate cannot be negative: " + rate);
        }
        this.rate = rate;
        this.ramp = List.copyOf(ramp);
    }

    /** A fixed rate: no ramp, and nothing changes it but keys. */
    public static CallRate fixed(double rate) {
        return new CallRate(rate, List.of());
    }

    /**
     * A ramp as {@code AT:RATE,...} with increasing times, e.g. {@code 5s:50,15s:10}: 50 calls a
     * second from 5 s on, 10 from 15 s on.
     *
     * @throws IllegalArgumentException naming the step at fault
     */
    public static List<Step> parseRamp(String text) {
        List<Step> steps = new ArrayList<>();
        Duration last = Duration.ofMillis(-1);
        for (String part : text.split(",", -1)) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("--ramp step '" + part + "': expected AT:RATE, e.g. 5s:50");
            }
            Duration at;
            double r;
            try {
                at = Durations.parse(part.substring(0, colon).trim());
                r = Double.parseDouble(part.substring(colon + 1).trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--ramp step '" + part + "': " + e.getMessage(), e);
            }
            if (!(r >= 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("--ramp step '" + part + "': the rate must be a number of at least 0");
            }
            if (at.compareTo(last) <= 0) {
                throw new IllegalArgumentException("--ramp step '" + part + "': times must increase");
            }
            last = at;
            steps.add(new Step(at, r));
        }
        return steps;
    }

    /** Takes one key; returns what it did, or null for a key that means nothing. */
    public String key(char k) {
        return switch (k) {
            case '+' -> set(rate + 1);
            case '-' -> set(rate - 1);
            case '*' -> set(rate + 10);
            case '/' -> set(rate - 10);
            case 'p' -> {
                paused = !paused;
                yield paused ? "paused" : "resumed at " + describe(rate);
            }
            case 'q' -> {
                quit = true;
                yield "quitting once the calls in progress are over";
            }
            default -> null;
        };
    }

    private String set(double r) {
        rate = Math.max(0, r);
        return "rate " + describe(rate) + (paused ? " (paused)" : "");
    }

    private static String describe(double r) {
        return String.format(Locale.ROOT, "%.0f calls/s", r);
    }

    /** Applies the ramp's steps due {@code elapsed} after the start; returns what changed, or null. On the load's thread. */
    String advance(Duration elapsed) {
        String changed = null;
        while (applied < ramp.size() && ramp.get(applied).at().compareTo(elapsed) <= 0) {
            changed = set(ramp.get(applied++).rate());
        }
        return changed;
    }

    /** New calls a second now: 0 while paused or quitting. */
    public double now() {
        return paused || quit ? 0 : rate;
    }

    public boolean quitting() {
        return quit;
    }
}
