package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Publishes each event to several replicas, each with its own connection and its own seal (on a
 * cluster of single-node brokers the publisher's secret differs per replica), and counts an
 * event acknowledged once {@code quorum} of them acknowledged it. A replica that fails or numbers
 * the event differently is left out; with fewer than {@code quorum} left, publishing fails.
 * Not thread-safe: one publishing thread.
 */
public abstract sealed class FanOutPublisher implements Publisher permits ReplicatedPublisher, ForwardedPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(FanOutPublisher.class);

    private final String tag;
    private final int quorum;
    private final Publisher[] replicas;
    private final boolean[] failed;
    private final long[] acks;
    private int alive;
    private long seq;

    FanOutPublisher(String tag, int quorum, Publisher[] replicas) {
        this.tag = tag;
        this.quorum = quorum;
        this.replicas = replicas;
        this.failed = new boolean[replicas.length];
        this.acks = new long[replicas.length];
        this.alive = replicas.length;
    }

    /** One publisher on {@code tag} at each of {@code clients}. */
    static Publisher[] openAll(List<? extends BrokerClient> clients, String tag) {
        Publisher[] pubs = new Publisher[clients.size()];
        for (int i = 0; i < pubs.length; i++) {
            pubs[i] = clients.get(i).publisher(tag);
        }
        return pubs;
    }

    @Override
    public String channel() {
        return tag;
    }

    @Override
    public final long publish(Event event) {
        return publish(EventCodec.encode(event));
    }

    @Override
    public long publish(byte[] payload) {
        long s = seq + 1;
        for (int i = 0; i < replicas.length; i++) {
            if (failed[i]) {
                continue;
            }
            try {
                long got = replicas[i].publish(payload);
                if (got != s) {
                    leaveOut(i, new BrokerException(ErrorCode.INTEGRITY, "numbered event " + s + " as " + got));
                }
            } catch (BrokerException e) {
                leaveOut(i, e);
            }
        }
        if (alive < quorum) {
            throw new BrokerException(ErrorCode.DISCONNECTED, "channel " + tag + ": only " + alive
                    + " replicas left, " + quorum + " needed");
        }
        seq = s;
        return s;
    }

    private void leaveOut(int replica, BrokerException why) {
        failed[replica] = true;
        alive--;
        LOG.warn("channel {}: replica {} left out: {}", tag, replica, why.getMessage());
    }

    /** The highest sequence number that {@code quorum} replicas still in use acknowledged, with all before it. */
    @Override
    public long acknowledged() {
        for (int i = 0; i < replicas.length; i++) {
            acks[i] = failed[i] ? 0 : replicas[i].acknowledged();
        }
        Arrays.sort(acks);
        return acks[acks.length - quorum];
    }

    @Override
    public void awaitAcknowledged(long s, Duration timeout) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        BrokerException refusal = null;
        int acked = 0;
        int refused = 0;
        boolean[] answered = new boolean[replicas.length];
        while (true) {
            for (int i = 0; i < replicas.length; i++) {
                if (answered[i] || failed[i]) {
                    continue;
                }
                try {
                    replicas[i].awaitAcknowledged(s, Duration.ofMillis(1));
                    answered[i] = true;
                    acked++;
                } catch (TimeoutException e) {
                    LOG.trace("replica {} has not acknowledged {} yet", i, s);
                } catch (BrokerException e) {
                    answered[i] = true;
                    refusal = e;
                    refused++;
                }
            }
            if (acked >= quorum) {
                return;
            }
            if (refusal != null && replicas.length - refused < quorum) {
                throw refusal;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("event " + s + " on " + tag + " not acknowledged by " + quorum
                        + " replicas within " + timeout);
            }
        }
    }

    @Override
    public void close() {
        for (Publisher p : replicas) {
            try {
                p.close();
            } catch (BrokerException e) {
                LOG.debug("close at a replica: {}", e.getMessage());
            }
        }
    }
}
