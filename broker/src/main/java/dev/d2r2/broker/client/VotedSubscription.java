package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.security.Crypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

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
 * <p>With {@link Copies#DIGESTS} one replica, the <em>carrier</em>, sends the events and the
 * others only each event's publisher, sequence number and SHA-256 of the payload (DIGEST frames):
 * the payload crosses the network to the subscriber once instead of once per replica. The vote
 * is over digests (the carrier's copy is hashed here), and an event is delivered once f + 1
 * replicas attest the same digest and the carrier's copy has it. A carrier whose copy contradicts
 * the f + 1 (refused, {@link #refusedCopies}), or which leaves an attested event without its
 * copy for the stall timeout, is replaced by the next replica: it is asked for whole events from
 * its first report not delivered yet, and sends again, whole, those it had sent as digests
 * (each broker keeps its last 4,096); the old carrier sends digests from then on. Each event is
 * still delivered once.
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

    /** What the replicas send the subscriber. */
    public enum Copies {
        /** Every replica sends every event: the vote compares the payloads. Any protection. */
        WHOLE,
        /** One replica sends the events, the others their digests. Not on PKE channels (the broker refuses). */
        DIGESTS
    }

    /** One replica's report: what the vote compares (payload or digest), where the replica had it, and the event if it came whole. */
    private record Copy(byte[] key, long offset, Delivery event) {
    }

    private final int f;
    private final int n;
    private final Copies copies;
    private final VoteTally<Copy> tally;
    private final long stallNanos;
    private final BrokerClient[] clients;
    private final long[] lastOffset;
    private final MessageDigest sha256;
    private int carrier;
    private boolean replacing;
    private long carrierChanges;
    private long lastProgress = System.nanoTime();
    private long deliveredAtLastCheck;

    private VotedSubscription(String tag, List<? extends BrokerClient> replicas, int f, int window, Duration stallTimeout,
                              Copies copies, DeliveryHandler handler) {
        super(tag, f, handler);
        this.f = f;
        this.n = replicas.size();
        this.copies = copies;
        this.stallNanos = stallTimeout.toNanos();
        this.clients = replicas.toArray(BrokerClient[]::new);
        this.lastOffset = new long[n];
        Arrays.fill(lastOffset, -1);
        this.sha256 = copies == Copies.DIGESTS ? Crypto.sha256() : null;
        this.tally = new VoteTally<>(n, f, window, 4096, 64, Copy::key, c -> c.event() != null,
                (publisher, sequence, c) -> deliver(c.event()));
        if (copies == Copies.DIGESTS) {
            for (BrokerClient c : clients) {
                if (!(c instanceof RemoteBrokerClient)) {
                    throw new IllegalArgumentException("digest copies come over the network: every replica needs a RemoteBrokerClient");
                }
            }
        }
    }

    /** Subscribes on every replica of {@code replicas} (at least 2f + 1 clients, one per replica of a cluster of 3f + 1). */
    public static VotedSubscription open(List<? extends BrokerClient> replicas, int f, String tag, StartPosition start,
                                         DeliveryHandler handler) {
        return open(replicas, f, tag, start, DEFAULT_WINDOW, DEFAULT_STALL_TIMEOUT, Copies.WHOLE, handler);
    }

    public static VotedSubscription open(List<? extends BrokerClient> replicas, int f, String tag, StartPosition start,
                                         int window, Duration stallTimeout, Copies copies, DeliveryHandler handler) {
        VotedSubscription v = new VotedSubscription(tag, replicas, f, window, stallTimeout, copies, handler);
        v.subscribe(replicas, start);
        Thread.ofVirtual().name("d2r2-voted-watch").start(v::watch);
        return v;
    }

    @Override
    Subscription subscribe(int replica, BrokerClient client, StartPosition start, Replica handler) {
        if (copies == Copies.WHOLE) {
            return client.subscribe(tag, start, handler);
        }
        return ((RemoteBrokerClient) client).subscribeVoting(tag, start, handler, handler, replica != carrier);
    }

    @Override
    synchronized void copy(int replica, Delivery d) {
        if (closed) {
            return;
        }
        byte[] key = copies == Copies.DIGESTS ? sha256.digest(d.payload()) : d.payload();
        report(replica, d.publisher(), d.publisherSeq(), new Copy(key, d.offset(), d));
    }

    @Override
    synchronized void digest(int replica, long offset, String publisher, long sequence, byte[] digest) {
        if (closed) {
            return;
        }
        report(replica, publisher, sequence, new Copy(digest, offset, null));
    }

    private void report(int replica, String publisher, long sequence, Copy c) {
        // The carrier's copy may be refused when another replica's report completes the f + 1.
        long refusedBefore = tally.refusedCopies(carrier);
        tally.report(replica, publisher, sequence, c);
        lastOffset[replica] = Math.max(lastOffset[replica], c.offset());
        if (tally.refusedCopies(carrier) > refusedBefore) {
            replaceCarrier("its copy of an event contradicts the digest f + 1 replicas attested");
        }
        checkProgress();
    }

    /**
     * After each copy and on the watchdog's turns: when nothing was delivered for the stall
     * timeout, an attested event the carrier did not send makes another replica the carrier;
     * otherwise what only silent replicas could complete is given up.
     */
    private synchronized void checkProgress() {
        long now = System.nanoTime();
        if (tally.delivered() != deliveredAtLastCheck) {
            deliveredAtLastCheck = tally.delivered();
            lastProgress = now;
        } else if (now - lastProgress > stallNanos) {
            lastProgress = now;
            if (copies == Copies.DIGESTS && tally.awaitingEvent()) {
                replaceCarrier("f + 1 replicas attested an event it did not send within the stall timeout");
            } else if (tally.skipStalled() > 0) {
                LOG.warn("channel {}: gave up events no f + 1 replicas delivered within the stall timeout", tag);
            }
        }
    }

    /**
     * Checks progress when no copy comes: a carrier silent after the last event of a burst would
     * otherwise hold it back until the next burst.
     */
    private void watch() {
        long period = Math.max(1, stallNanos / 2);
        while (true) {
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            LockSupport.parkNanos(this, period);
            checkProgress();
        }
    }

    /**
     * Takes the events from the next replica from now on (under the lock): on a thread of its
     * own, since asking a broker waits for its answer on a reader thread that may be waiting for
     * this lock.
     */
    private void replaceCarrier(String why) {
        if (copies != Copies.DIGESTS || replacing) {
            return;
        }
        int old = carrier;
        int next = (old + 1) % n;
        long earliest = tally.earliestUndelivered(next, Copy::offset);
        long resendFrom = earliest != Long.MAX_VALUE ? earliest : lastOffset[next] + 1;
        carrier = next;
        carrierChanges++;
        replacing = true;
        LOG.warn("channel {}: replica {} no longer carries the events ({}); replica {} does, from offset {}", tag, old, why,
                next, resendFrom);
        RemoteSubscription wholes = (RemoteSubscription) subscription(next);
        RemoteSubscription digests = (RemoteSubscription) subscription(old);
        Thread.ofVirtual().name("d2r2-voted-carrier").start(() -> {
            try {
                ((RemoteBrokerClient) clients[next]).copies(wholes, false, resendFrom);
                ((RemoteBrokerClient) clients[old]).copies(digests, true, -1);
            } catch (BrokerException e) {
                LOG.warn("channel {}: changing the replica that carries the events: {}", tag, e.getMessage());
            } finally {
                synchronized (this) {
                    replacing = false;
                    lastProgress = System.nanoTime();
                }
            }
        });
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

    /** Whole events of {@code replica} whose content contradicted the digest f + 1 replicas attested: refused. */
    public synchronized long refusedCopies(int replica) {
        return tally.refusedCopies(replica);
    }

    /** Events of {@code replica} dropped from the vote: too far ahead of the others, or bad sequence numbers. */
    public synchronized long overruns(int replica) {
        return tally.overruns(replica) + tally.refused(replica);
    }

    /** The replica the events come from ({@link Copies#DIGESTS}; with whole copies, 0). */
    public synchronized int carrier() {
        return carrier;
    }

    /** How often the events were taken from another replica. */
    public synchronized long carrierChanges() {
        return carrierChanges;
    }

    public synchronized long delivered() {
        return tally.delivered();
    }

    /** Sequence numbers given up: no f + 1 replicas delivered them. */
    public synchronized long skipped() {
        return tally.skipped();
    }
}
