package dev.d2r2.app.replay;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A running broker's recorded channels, read by subscribing to each from a time: the broker reads
 * its log at the subscriber's pace, and the replay stops each channel at the offset its log had
 * reached when the replay began (what comes later is live traffic, not the recording). Each
 * channel has its own connection, so that a channel the merge is not ready for holds back only
 * its own deliveries, by TCP's flow control, and never another channel's.
 */
public final class BrokerStore implements LogStore {
    /** How long the replay waits for a channel's next record before it says the broker stalled. */
    static final Duration STALL = Duration.ofSeconds(30);
    private static final int QUEUE = 1024;

    /** Opens one authenticated connection to the broker. */
    @FunctionalInterface
    public interface Connector {
        BrokerClient connect() throws IOException;
    }

    private final String name;
    private final Connector connector;
    private final BrokerClient control;

    private BrokerStore(String name, Connector connector, BrokerClient control) {
        this.name = name;
        this.connector = connector;
        this.control = control;
    }

    static BrokerStore open(String name, Connector connector) throws IOException {
        return new BrokerStore(name, connector, connector.connect());
    }

    @Override
    public String name() {
        return "the broker at " + name;
    }

    @Override
    public LogSpan span(String tag) {
        return control.logSpan(tag);
    }

    @Override
    public Cursor read(String tag, long sinceMillis, LogSpan span) throws IOException {
        if (span == null || sinceMillis > span.lastTime()) {
            return new Subscribed(tag, null, -1);
        }
        Subscribed cursor = new Subscribed(tag, connector.connect(), span.lastOffset());
        cursor.start(sinceMillis);
        return cursor;
    }

    @Override
    public void close() {
        control.close();
    }

    /** The channel closed under the reader: the cause, handed from the delivery thread. */
    private record Closed(BrokerException cause) {
    }

    /** One channel's subscription, its deliveries queued for the replay's thread. */
    private static final class Subscribed implements Cursor, DeliveryHandler {
        private final String tag;
        private final BrokerClient client;
        private final long lastOffset;
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
        private Subscription subscription;
        private volatile boolean closed;
        /** The highest offset delivered or noticed missing. */
        private long reached = -1;

        Subscribed(String tag, BrokerClient client, long lastOffset) {
            this.tag = tag;
            this.client = client;
            this.lastOffset = lastOffset;
        }

        void start(long sinceMillis) {
            try {
                subscription = client.subscribe(tag, StartPosition.since(sinceMillis), this);
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
        }

        @Override
        public String tag() {
            return tag;
        }

        @Override
        public Delivery next() throws ReplayException {
            while (reached < lastOffset) {
                Object next;
                try {
                    next = queue.poll(STALL.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ReplayException("interrupted while reading channel " + tag);
                }
                switch (next) {
                    case null -> throw new ReplayException("the broker delivered nothing of channel " + tag + " for "
                            + STALL.toSeconds() + " s after offset " + reached + " (its log ends at " + lastOffset + ")");
                    case Delivery d -> {
                        reached = d.offset();
                        return d;
                    }
                    case MissingNotice m -> reached = Math.max(reached, m.toOffset());
                    case Closed c -> throw new ReplayException("the broker ended the subscription to channel " + tag
                            + " after offset " + reached + ": " + c.cause().getMessage());
                    default -> throw new IllegalStateException("unexpected " + next);
                }
            }
            return null;
        }

        @Override
        public void onEvent(Delivery delivery) {
            if (delivery.offset() <= lastOffset) {
                hand(delivery);
            }
        }

        /** Dropped records are a gap the replay sees in the offsets; the notice only says how far they went. */
        @Override
        public void onMissing(MissingNotice notice) {
            hand(notice);
        }

        @Override
        public void onClosed(BrokerException cause) {
            hand(new Closed(cause));
        }

        /** Waits for room (holding back this channel's connection), until the cursor is closed. */
        private void hand(Object item) {
            try {
                boolean handed = false;
                while (!closed && !handed) {
                    handed = queue.offer(item, 100, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            closed = true;
            if (subscription != null) {
                subscription.close();
            }
            if (client != null) {
                client.close();
            }
        }
    }
}
