package dev.d2r2.core.nagios;

import java.util.Locale;

/** The four Nagios states, as plugins return them in their exit code. */
public enum NagiosState {
    OK, WARNING, CRITICAL, UNKNOWN;

    /** 0..3 map to OK..UNKNOWN; any other code (a crash, a signal) is UNKNOWN. */
    public static NagiosState fromExitCode(int code) {
        return code >= 0 && code <= 3 ? values()[code] : UNKNOWN;
    }

    /** The state as events carry it: {@code ok}, {@code warning}, {@code critical}, {@code unknown}. */
    public String eventName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
