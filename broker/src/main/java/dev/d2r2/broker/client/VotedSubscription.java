package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.StartPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * A {@code voted} subscription (Byzantine channels, n = 3f + 1 replicas): subscribes to the
 * channel on the replicas it is given and delivers an event only when f + 1 of them delivered
 * the same publisher, sequence number and payload ({@link VoteTally}), so a lying replica can
 * neither tamper with an event nor forge one. Each replica checked the publisher's seal before
 * it accepted the event, and f + 1 agreeing replicas include a correct one.
 *
 * <p>Any 2f + 1 of the replicas are enough: with at most f faulty, they include f + 1 correct
 * ones, each of which delivers every event a {@link ReplicatedPublisher} sent to all n. Each
 * replica left out is one delivery less per event for the brokers and for this client (a
 * quarter of the delivery work at f = 1); subscribing to all n rides out more than f silent
 * replicas among the chosen ones.
 *
 * <p>Events are delivered in each publisher's sequence order, once each, to one handler call at a
 * time (on whichever replica's reader thread completed the vote). When a publisher's next event
 * cannot be completed for {@code stallTimeout} while later ones can, only silent replicas could
 * complete it: it is given up ({@link #skipped()}) and delivery goes on.
 */
public final class VotedSubscription extends ReplicaSubscriptions {
    private static final Logger LOG = LoggerFactory.getLogger(VotedSubscription.class);
    public static final int DEFAULT_WINDOW = 4096;
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(2);

    private final int f;
    private final VoteTally<Delivery> tally;
    private final long stallNanos;
    private long lastProgress = System.nanoTime();
    private long deliveredAtLastCheck;

    private VotedSubscription(String tag, int replicas, int f, int window, Duration stallTimeout, DeliveryHandler handler) {
        super(tag, f, handler);
        this.f = f;
        this.stallNanos = stallTimeout.toNanos();
        this.tally = new VoteTally<>(replicas, f, window, 4096, 64, Delivery::payload, (publisher, sequence, d) -> deliver(d));
    }

    /** Subscribes on every replica of {@code replicas} (at least 2f + 1 clients, one per replica of a cluster of 3f + 1). */
    public static VotedSubscription open(List<? extends BrokerClient> replicas, int f, String tag, StartPosition start,
                                         DeliveryHandler handler) {
        return open(replicas, f, tag, start, DEFAULT_WINDOW, DEFAULT_STALL_TIMEOUT, handler);
    }

    public static VotedSubscription open(List<? extends BrokerClient> replicas, int f, String tag, StartPosition start,
                                         int window, Duration stallTimeout, DeliveryHandler handler) {
        VotedSubscription v = new VotedSubscription(tag, replicas.size(), f, window, stallTimeout, handler);
        v.subscribe(replicas, start);
        return v;
    }

    @Override
    synchronized void copy(int replica, Delivery d) {
        if (closed) {
            return;
        }
        tally.report(replica, d.publisher(), d.publisherSeq(), d);
        long now = System.nanoTime();
        if (tally.delivered() != deliveredAtLastCheck) {
            deliveredAtLastCheck = tally.delivered();
            lastProgress = now;
        } else if (now - lastProgress > stallNanos && tally.skipStalled() > 0) {
            LOG.warn("channel {}: gave up events no f + 1 replicas delivered within the stall timeout", tag);
            lastProgress = now;
        }
    }

    @Override
    BrokerException exhausted() {
        return new BrokerException(ErrorCode.DISCONNECTED, "fewer than f + 1 = " + (f + 1) + " replicas still deliver channel " + tag);
    }

    /** Events of {@code replica} that contradicted f + 1 others: tampered or forged. */
    public synchronized long disagreements(int replica) {
        return tally.disagreements(replica);
    }

    /** Events {@code replica} delivered twice (replays, equivocations). */
    public synchronized long duplicates(int replica) {
        return tally.duplicates(replica);
    }

    /** Events of {@code replica} dropped from the vote: too far ahead of the others, or bad sequence numbers. */
    public synchronized long overruns(int replica) {
        return tally.overruns(replica) + tally.refused(replica);
    }

    public synchronized long delivered() {
        return tally.delivered();
    }

    /** Sequence numbers given up: no f + 1 replicas delivered them. */
    public synchronized long skipped() {
        return tally.skipped();
    }
}
