package dev.d2r2.broker.server;

import dev.d2r2.broker.log.SegmentedLog;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether a channel's log can be written and forced. Retries fail as often as they are tried (a
 * group commit every 100 ms), so a failure is logged and counted once per change of state, in
 * {@code d2r2_broker_log_failures_total}, and its end is logged too.
 */
final class LogHealth {
    private static final Logger LOG = LoggerFactory.getLogger(LogHealth.class);
    private final String channel;
    private final CounterDataPoint failures;
    private final AtomicBoolean failing = new AtomicBoolean();

    LogHealth(String channel, CounterDataPoint failures) {
        this.channel = channel;
        this.failures = failures;
    }

    void failed(String what, IOException e) {
        if (failing.compareAndSet(false, true)) {
            failures.inc();
            LOG.error("channel {}: log {} failed{}: {} (said once; the end of the failure will be logged)", channel, what,
                    SegmentedLog.isNoSpace(e) ? " because the disk is full" : "", e.getMessage());
        }
    }

    void works() {
        if (failing.get() && failing.compareAndSet(true, false)) {
            LOG.info("channel {}: log writes and forces work again", channel);
        }
    }
}
