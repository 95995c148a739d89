package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.broker.security.SealVerifier;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.EventWindow;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A replica back from an outage filling the gap in one {@code forwarded} channel's log from the
 * other replicas' logs (read by {@code ForwardedCatchUp}): each is asked for what it logged from
 * {@link #since()} on, this replica's last event's time less a margin, and every event not held
 * here yet is taken as a forwarded copy (same checks), in the order that replica logged it.
 *
 * <p>Held: the events of this log's last {@link EventWindow#SIZE} records or of its last two
 * margins, whichever are more, by publisher, sequence number and payload fingerprint: an exact
 * set, so a busy margin cannot let a copy in twice past the channel's window. Startup work, not
 * the publishing path: it allocates freely.
 *
 * <p>What no other replica's log reaches back to any more is a gap: for a publisher with an
 * event held here, the sequence numbers between that one and the first found after it are
 * reported by {@link #finish} ({@link Broker#reportGap}). Synchronized: a replica too slow to read may still be
 * delivering when the next one is read.
 */
public final class ForwardedGapFill implements PeerLogFill {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardedGapFill.class);

    private record Key(String publisher, long sequence, long payload) {
    }

    /** What a gap fill did: events taken, copies held already, copies refused, events reported missing. */
    public record Result(String channel, long taken, long held, long refused, long missing) {
    }

    private final Broker broker;
    private final ChannelRuntime ch;
    private final CounterDataPoint caughtUp;
    private final CounterDataPoint failures;
    private final long since;
    private final Set<Key> held = new HashSet<>();
    /** Each publisher's sequence number of its last event here before the gap fill. */
    private final Map<String, Long> lastHeld = new HashMap<>();
    /** Each publisher's lowest sequence number taken after its last one held. */
    private final Map<String, Long> firstTaken = new TreeMap<>();
    private final Map<Identity, SealVerifier> verifiers = new HashMap<>();
    private final CRC32C crc = new CRC32C();
    private long taken;
    private long heldAlready;
    private long refused;

    ForwardedGapFill(Broker broker, ChannelRuntime ch, long marginMillis, CounterDataPoint caughtUp, CounterDataPoint failures)
            throws IOException {
        this.broker = broker;
        this.ch = ch;
        this.caughtUp = caughtUp;
        this.failures = failures;
        LogSpan span = ch.logSpan();
        this.since = span == null ? 0 : span.lastTime() - marginMillis;
        ch.eachLoggedSince(since - marginMillis, EventWindow.SIZE, e -> {
            held.add(key(e));
            lastHeld.put(e.publisher(), e.sequence());
        });
    }

    @Override
    public String channel() {
        return ch.tag();
    }

    @Override
    public long since() {
        return since;
    }

    /** Takes one event another replica logged, unless this one holds it already; a refused copy is counted. */
    @Override
    public synchronized void take(Envelope e) {
        if (!held.add(key(e))) {
            heldAlready++;
            return;
        }
        try {
            if (broker.takeCopy(ch, e, verifiers) == ChannelRuntime.LATER_COPY) {
                heldAlready++;
                return;
            }
        } catch (BrokerException refusedCopy) {
            refused++;
            LOG.debug("channel {}: caught-up event {}#{} refused: {}", ch.tag(), e.publisher(), e.sequence(),
                    refusedCopy.getMessage());
            return;
        }
        taken++;
        caughtUp.inc();
        if (e.sequence() > lastHeld.getOrDefault(e.publisher(), Long.MAX_VALUE)) {
            firstTaken.merge(e.publisher(), e.sequence(), Math::min);
        }
    }

    /** Another replica could not be read (unreachable, too slow): counted, and what it alone held stays missing. */
    @Override
    public synchronized void failed(String replica, Exception why) {
        failures.inc();
        LOG.warn("channel {}: no catch-up from {}: {}", ch.tag(), replica, why.toString());
    }

    /** Reports each publisher's events that no replica's log reached back to, and says what the gap fill did. */
    public synchronized Result finish() {
        long missing = 0;
        for (Map.Entry<String, Long> first : firstTaken.entrySet()) {
            long last = lastHeld.get(first.getKey());
            if (first.getValue() > last + 1) {
                broker.reportGap(ch.tag(), first.getKey(), last + 1, first.getValue() - 1);
                // Reported once: the running replica's repair must not look for it again.
                ch.forgetGap(first.getKey(), last + 1, first.getValue() - 1);
                missing += first.getValue() - 1 - last;
            }
        }
        LOG.info("channel {}: caught up {} events from the other replicas ({} held already, {} refused, {} missing)",
                ch.tag(), taken, heldAlready, refused, missing);
        return new Result(ch.tag(), taken, heldAlready, refused, missing);
    }

    private Key key(Envelope e) {
        return new Key(e.publisher(), e.sequence(), e.payloadFingerprint(crc));
    }
}
