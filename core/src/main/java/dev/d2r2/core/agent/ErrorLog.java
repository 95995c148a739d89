package dev.d2r2.core.agent;

import dev.d2r2.core.Clock;
import org.slf4j.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counted, rate-limited error logging: every error is counted, and each kind of error is logged at
 * most once per interval, with the number of repeats suppressed since its last line. A flood of
 * malformed input costs a counter increment, not a log line per item.
 */
public final class ErrorLog {
    private final Logger log;
    private final Clock clock;
    private final long intervalMillis;
    private final AtomicLong total = new AtomicLong();
    private final Map<String, Kind> kinds = new HashMap<>();

    private static final class Kind {
        long count;
        long lastLoggedMillis = Long.MIN_VALUE;
        long suppressed;
    }

    public ErrorLog(Logger log, Clock clock, long intervalMillis) {
        this.log = log;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
    }

    /** Counts one error of {@code kind}; logs it as a warning unless that kind was logged within the interval. */
    public void warn(String kind, String message) {
        report(kind, message, null);
    }

    /** Counts one failure with its exception; logged as an error, rate-limited like {@link #warn}. */
    public void error(String kind, String message, Throwable cause) {
        report(kind, message, cause);
    }

    private void report(String kind, String message, Throwable cause) {
        total.incrementAndGet();
        long suppressed;
        synchronized (kinds) {
            Kind k = kinds.computeIfAbsent(kind, x -> new Kind());
            k.count++;
            long now = clock.millis();
            if (k.lastLoggedMillis != Long.MIN_VALUE && now - k.lastLoggedMillis < intervalMillis) {
                k.suppressed++;
                return;
            }
            suppressed = k.suppressed;
            k.suppressed = 0;
            k.lastLoggedMillis = now;
        }
        String line = suppressed == 0 ? message : message + " (" + suppressed + " more like it not logged)";
        if (cause == null) {
            log.warn("{}", line);
        } else {
            log.error("{}", line, cause);
        }
    }

    /** Errors counted so far, of every kind. */
    public long total() {
        return total.get();
    }

    /** Errors counted so far of one kind. */
    public long count(String kind) {
        synchronized (kinds) {
            Kind k = kinds.get(kind);
            return k == null ? 0 : k.count;
        }
    }
}
