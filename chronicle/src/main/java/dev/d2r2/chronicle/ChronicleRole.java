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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The chronicle role: TESS producers on broker channels (one subscription each), a merger that
 * serialises them into one stream for the recognizer ({@link Merger}: Focus and Rule-On), and
 * the recognitions published as alert events on a channel. A subscription's Missing-Event notices (drop-oldest) make overlapping
 * recognitions uncertain. Live streams have no end, so every {@link #TICK_MS} the producers
 * promise No-More-Event before {@code now - lateness}: an event delayed more than the lateness
 * is late.
 */
public final class ChronicleRole implements AutoCloseable {
    static final long TICK_MS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleRole.class);

    private final Recognizer recognizer;
    private final Clock clock;
    private final long lateness;
    /** Events buffered between the producers and the recognizer, at most. */
    static final int BUFFER_EVENTS = 100_000;
    private final Merger merged;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final Publisher alerts;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Recognizer.Stats stats;
    private final java.util.concurrent.atomic.AtomicLong malformed = new java.util.concurrent.atomic.AtomicLong();

    public ChronicleRole(BrokerClient client, List<Chronicle> chronicles, Recognizer.Options options, List<String> inputs,
                         String alertChannel, Clock clock, Consumer<Recognition> listener) {
        this(client, chronicles, options, inputs, alertChannel, clock, listener, BUFFER_EVENTS);
    }

    ChronicleRole(BrokerClient client, List<Chronicle> chronicles, Recognizer.Options options, List<String> inputs,
                  String alertChannel, Clock clock, Consumer<Recognition> listener, int bufferEvents) {
        this.clock = clock;
        this.lateness = options.lateness();
        this.merged = new Merger(bufferEvents, options.lateness());
        this.alerts = client.publisher(alertChannel);
        this.recognizer = new Recognizer(chronicles, options, r -> {
            alerts.publish(r.toAlert().toEvent());
            listener.accept(r);
        });
        this.stats = recognizer.stats();
        for (String tag : inputs) {
            subscriptions.add(client.subscribe(tag, StartPosition.live(), new Producer(tag)));
        }
        this.thread = Thread.ofPlatform().name("d2r2-chronicle").daemon().start(this::merge);
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
                malformed.incrementAndGet();
                LOG.warn("channel {}: malformed event at offset {} skipped: {}", tag, d.offset(), e.getMessage());
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

    private void merge() {
        long nextTick = clock.millis();
        while (running) {
            try {
                Object item = merged.take(TICK_MS, recognizer::reads, recognizer::focuses);
                if (item instanceof Event e) {
                    recognizer.accept(e);
                } else if (item instanceof MissingNotice n) {
                    LOG.info("channel {}: {} events lost between {} and {}; overlapping recognitions are uncertain",
                            n.channel(), n.count(), n.fromTime(), n.toTime());
                    recognizer.missing(n.fromTime(), n.toTime());
                }
                long now = clock.millis();
                if (now >= nextTick) {
                    recognizer.noMoreEvents(now - lateness);
                    stats = recognizer.stats();
                    nextTick = now + TICK_MS;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("chronicle recognition failed on one input", e);
            }
        }
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
        return malformed.get();
    }

    @Override
    public void close() throws InterruptedException {
        for (Subscription s : subscriptions) {
            s.close();
        }
        running = false;
        thread.interrupt();
        thread.join();
        alerts.close();
    }
}
