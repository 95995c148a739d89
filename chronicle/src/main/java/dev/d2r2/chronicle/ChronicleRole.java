package dev.d2r2.chronicle;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The chronicle role: TESS producers on broker channels (one subscription each), a merger that
 * serialises them into one stream ({@link Merger}: Focus and Rule-On), and the recognizer as an
 * {@link Agent} whose inbox is that merger: recognition and the publication of alerts happen on
 * its owning thread only; the broker's delivery threads only put events into the merger.
 * A subscription's Missing-Event notices (drop-oldest) make overlapping recognitions uncertain.
 * Live streams have no end, so every {@link #TICK_MS} the producers promise No-More-Event before
 * {@code now - lateness}: an event delayed more than the lateness is late. Malformed input is
 * counted (and logged, rate-limited) in the runner's {@link dev.d2r2.core.agent.ErrorLog}.
 */
public final class ChronicleRole implements Agent, AutoCloseable {
    static final long TICK_MS = 100;
    /** Events buffered between the producers and the recognizer, at most. */
    static final int BUFFER_EVENTS = 100_000;
    /** The {@link dev.d2r2.core.agent.ErrorLog} kind of an input event that could not be decoded. */
    static final String MALFORMED = "malformed";
    /** The {@link dev.d2r2.core.agent.ErrorLog} kind of an input event dropped as late. */
    static final String LATE = "late";
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleRole.class);

    private final Recognizer recognizer;
    private final long lateness;
    private final Merger merged;
    private final AgentRunner runner;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final Publisher alerts;
    private long nextTick;
    private volatile Recognizer.Stats stats;

    public ChronicleRole(BrokerClient client, List<Chronicle> chronicles, Recognizer.Options options, List<String> inputs,
                         String alertChannel, Clock clock, Consumer<Recognition> listener) {
        this(client, chronicles, options, inputs, alertChannel, clock, listener, BUFFER_EVENTS);
    }

    ChronicleRole(BrokerClient client, List<Chronicle> chronicles, Recognizer.Options options, List<String> inputs,
                  String alertChannel, Clock clock, Consumer<Recognition> listener, int bufferEvents) {
        this.lateness = options.lateness();
        this.alerts = client.publisher(alertChannel);
        this.recognizer = new Recognizer(chronicles, options, r -> {
            alerts.publish(r.toAlert().toEvent());
            listener.accept(r);
        });
        this.stats = recognizer.stats();
        this.merged = new Merger(bufferEvents, options.lateness(), recognizer::reads, recognizer::focuses);
        this.nextTick = clock.millis();
        this.runner = new AgentRunner(this, merged, clock).start();
        for (String tag : inputs) {
            subscriptions.add(client.subscribe(tag, StartPosition.live(), new Producer(tag)));
        }
    }

    /** One input channel: forwards its events and Missing-Event notices to the merger. */
    private final class Producer implements DeliveryHandler {
        private final String tag;

        Producer(String tag) {
            this.tag = tag;
        }

        @Override
        public void onEvent(Delivery d) {
            try {
                merged.put(d.namedEvent());
            } catch (EventFormatException e) {
                runner.errors().warn(MALFORMED, "channel " + tag + ": malformed event at offset " + d.offset()
                        + " skipped: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onMissing(MissingNotice n) {
            try {
                merged.put(n);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String roleName() {
        return "chronicle";
    }

    @Override
    public void onMessage(Object message) {
        if (message instanceof Event e) {
            long lateBefore = recognizer.late();
            recognizer.accept(e);
            if (recognizer.late() != lateBefore) {
                runner.errors().warn(LATE, "a " + e.type() + " event from " + e.source() + " came "
                        + (recognizer.watermark() - e.time() + lateness) + " ms behind the newest time seen or the clock, more than the"
                        + " lateness of " + lateness + " ms: dropped. Raise the lateness to the delay the sources and the"
                        + " broker add");
            }
        } else if (message instanceof MissingNotice n) {
            LOG.info("channel {}: {} events lost between {} and {}; overlapping recognitions are uncertain",
                    n.channel(), n.count(), n.fromTime(), n.toTime());
            recognizer.missing(n.fromTime(), n.toTime());
        }
    }

    @Override
    public long nextDueMillis() {
        return nextTick;
    }

    @Override
    public void onTimer(long nowMillis) {
        recognizer.noMoreEvents(nowMillis - lateness);
        stats = recognizer.stats();
        nextTick = nowMillis + TICK_MS;
    }

    @Override
    public void onClose() {
        alerts.close();
    }

    /** The recognizer's counters, as of the last tick (at most {@link #TICK_MS} old). */
    public Recognizer.Stats stats() {
        return stats;
    }

    /** Events taken before older ones because instances waited for them (TESS Focus). */
    public long focusedFirst() {
        return merged.focusedFirst();
    }

    /** Events of types no chronicle reads, dropped from a full buffer (TESS Rule-On). */
    public long ruleOnDropped() {
        return merged.ruleOnDropped();
    }

    /** Events on the input channels that were not valid events. */
    public long malformed() {
        return runner.errors().count(MALFORMED);
    }

    /** Input events dropped as late: they came more than the lateness behind the latest time seen. */
    public long late() {
        return runner.errors().count(LATE);
    }

    /** The recognizer's owning thread: alerts are published from it only. */
    Thread owningThread() {
        return runner.thread();
    }

    @Override
    public void close() throws InterruptedException {
        for (Subscription s : subscriptions) {
            s.close();
        }
        runner.close();
    }
}
