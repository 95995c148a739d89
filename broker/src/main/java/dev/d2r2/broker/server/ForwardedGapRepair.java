package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.broker.security.SealVerifier;
import dev.d2r2.broker.wire.Envelope;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A running replica of a {@code forwarded} channel filling the sequence numbers it saw skipped
 * ({@link ForwardedGaps}: a link dropped copies while this replica was stopped, slow or cut
 * off) from the other replicas' logs: each is asked for what it logged from shortly before the
 * oldest gap on, and only the events still missing here are taken, as forwarded copies (same
 * checks, stored once). Live events go on meanwhile, so a repaired event lands after events of
 * its publisher that came later: each is stored once, but out of its publisher's order.
 *
 * <p>A gap still open when {@link #finish} is given a time after it was seen is reported like
 * one beyond the start catch-up's reach ({@code broker.forwarded.gap}) and no longer looked for.
 */
public final class ForwardedGapRepair implements PeerLogFill {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardedGapRepair.class);

    /** What a repair did: events taken, and events given up and reported missing. */
    public record Result(String channel, long taken, long missing) {
    }

    private final Broker broker;
    private final ChannelRuntime ch;
    private final List<ForwardedGaps.Gap> gaps;
    private final CounterDataPoint repaired;
    private final CounterDataPoint failures;
    private final long since;
    private final long seenBy;
    private final Map<Identity, SealVerifier> verifiers = new HashMap<>();
    private long taken;
    private long refused;

    ForwardedGapRepair(Broker broker, ChannelRuntime ch, List<ForwardedGaps.Gap> gaps, long marginMillis,
                       CounterDataPoint repaired, CounterDataPoint failures) {
        this.broker = broker;
        this.ch = ch;
        this.gaps = gaps;
        this.repaired = repaired;
        this.failures = failures;
        this.since = gaps.stream().mapToLong(ForwardedGaps.Gap::afterTime).min().orElseThrow() - marginMillis;
        this.seenBy = gaps.stream().mapToLong(ForwardedGaps.Gap::seenAt).max().orElseThrow();
    }

    @Override
    public String channel() {
        return ch.tag();
    }

    @Override
    public long since() {
        return since;
    }

    @Override
    public synchronized void take(Envelope e) {
        if (!ch.missing(e)) {
            return;
        }
        try {
            if (broker.takeCopy(ch, e, verifiers) != ChannelRuntime.LATER_COPY) {
                taken++;
                repaired.inc();
            }
        } catch (BrokerException refusedCopy) {
            refused++;
            LOG.debug("channel {}: repair copy {}#{} refused: {}", ch.tag(), e.publisher(), e.sequence(), refusedCopy.getMessage());
        }
    }

    @Override
    public synchronized void failed(String replica, Exception why) {
        failures.inc();
        LOG.warn("channel {}: no repair from {}: {}", ch.tag(), replica, why.toString());
    }

    @Override
    public boolean complete() {
        return ch.gapsSeenBy(seenBy).isEmpty();
    }

    /**
     * Reports and forgets what is still missing of the gaps seen at or before {@code giveUpBy}
     * (broker time); the others are looked for again at the next repair.
     */
    public synchronized Result finish(long giveUpBy) {
        long missing = 0;
        for (ForwardedGaps.Gap g : gaps) {
            if (g.seenAt() <= giveUpBy) {
                for (ForwardedGaps.Gap left : ch.forgetGap(g.publisher(), g.from(), g.to())) {
                    broker.reportGap(ch.tag(), left.publisher(), left.from(), left.to());
                    missing += left.count();
                }
            }
        }
        if (taken > 0 || missing > 0 || refused > 0) {
            LOG.info("channel {}: repaired {} skipped events from the other replicas' logs ({} refused, {} given up as missing)",
                    ch.tag(), taken, refused, missing);
        }
        return new Result(ch.tag(), taken, missing);
    }
}
