package dev.d2r2.scale.driver;

import dev.d2r2.scale.ScaleConfig;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every driver's {@link Driver#adopt} shares: which names are instances of a known type
 * ({@code type-N}), and how an adopted or a half-started instance is reported.
 */
final class Adoption {
    static final String ADOPTED = "adopted after a restart of the scaler";
    private static final Pattern NAME = Pattern.compile("([a-z][a-z0-9]*)-(\\d+)");

    private Adoption() {
    }

    /** The N of {@code name} when it is {@code type-N} and {@code type} is declared; -1 otherwise. */
    static int number(ScaleConfig config, String type, String name) {
        Matcher m = NAME.matcher(name);
        if (type == null || !config.types().containsKey(type) || !m.matches() || !m.group(1).equals(type)) {
            return -1;
        }
        return Integer.parseInt(m.group(2));
    }

    /** The type a name {@code type-N} names, or null. */
    static String type(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? m.group(1) : null;
    }

    /** Taken into the driver's books: {@code running}, or {@code draining} for one a previous run was draining. */
    static void adopted(Lifecycle lifecycle, Instance i, boolean draining) {
        lifecycle.move(i, draining ? Lifecycle.DRAINING : Lifecycle.RUNNING, ADOPTED);
    }

    /** Left half-started (or dead) by a previous run: {@code done} (deleted, removed) and reported, not adopted. */
    static void removed(Lifecycle lifecycle, Instance i, String found, String done) {
        lifecycle.move(i, Lifecycle.FAILED, found + " after a restart of the scaler: " + done);
        lifecycle.move(i, Lifecycle.STOPPED, found + " after a restart of the scaler");
    }
}
