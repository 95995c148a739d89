package dev.d2r2.broker.client;

import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.EventForwarding;
import dev.d2r2.broker.wire.EnvelopeBytes;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A replica's links to the other replicas of its cluster, over their ordinary client protocol:
 * the events its publishers give it on {@code forwarded} channels are queued for each other
 * replica and sent by one thread per replica in FORWARD frames ({@link EnvelopeForwarder}), as
 * an administrator identity of that replica. The publishing session never waits: an event finds
 * a full queue (the replica is down or slow) and is dropped for it, counted ({@link #lost()});
 * so are the events a link had no connection for. The publisher's other f replicas forward the
 * event too, so a copy is lost only when every replica that took it lost it.
 */
public final class ForwardingLinks implements EventForwarding, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardingLinks.class);
    /** Events queued per link, by default. */
    public static final int QUEUE = 65536;

    private record Item(String tag, byte[] envelope) {
    }

    private final List<Link> links = new ArrayList<>();
    private volatile boolean closed;

    private ForwardingLinks(List<IdentityFile> peers, ClientSettings settings, int queue) {
        for (IdentityFile peer : peers) {
            links.add(new Link(peer, settings, queue));
        }
    }

    /**
     * Starts a link to each replica of {@code peers}: identity files of administrators, each
     * naming the replica it is registered at (its address and certificate).
     */
    public static ForwardingLinks start(List<IdentityFile> peers, ClientSettings settings) {
        return start(peers, settings, QUEUE);
    }

    /** As {@link #start(List, ClientSettings)}, with {@code queue} events queued per link. */
    public static ForwardingLinks start(List<IdentityFile> peers, ClientSettings settings, int queue) {
        if (queue < 1) {
            throw new IllegalArgumentException("a forwarding link queues at least 1 event, not " + queue);
        }
        ForwardingLinks f = new ForwardingLinks(peers, settings, queue);
        for (Link l : f.links) {
            l.thread.start();
        }
        return f;
    }

    @Override
    public void forward(String tag, byte[] envelope) {
        Item item = new Item(tag, envelope);
        for (Link l : links) {
            if (!l.queue.offer(item)) {
                l.lost.incrementAndGet();
            }
        }
    }

    /** Events not passed on to some replica: its queue was full, or it had no connection. */
    public long lost() {
        long n = 0;
        for (Link l : links) {
            n += l.lost.get();
        }
        return n;
    }

    /** Events sent to the other replicas (one per replica and event). */
    public long sent() {
        long n = 0;
        for (Link l : links) {
            n += l.sent.get();
        }
        return n;
    }

    /**
     * Registers {@code d2r2_broker_forwarded_sent_total} and {@code d2r2_broker_forwarded_lost_total}
     * by {@code replica}: a replica that misses copies (down, stopped past its queue) shows here
     * on the replicas that could not pass them on.
     */
    public void meter(PrometheusRegistry registry) {
        CounterWithCallback.builder().name("d2r2_broker_forwarded_sent")
                .help("Events of forwarded channels passed on to another replica").labelNames("replica")
                .callback(cb -> links.forEach(l -> cb.call(l.sent.get(), l.peer.broker())))
                .register(registry);
        CounterWithCallback.builder().name("d2r2_broker_forwarded_lost")
                .help("Events of forwarded channels not passed on to another replica: its queue was full or it had no connection")
                .labelNames("replica")
                .callback(cb -> links.forEach(l -> cb.call(l.lost.get(), l.peer.broker())))
                .register(registry);
    }

    @Override
    public void close() {
        closed = true;
        for (Link l : links) {
            l.thread.interrupt();
        }
    }

    /** An envelope already encoded, written as it is. */
    private static final class Encoded implements EnvelopeBytes {
        private byte[] bytes;

        @Override
        public int length() {
            return bytes.length;
        }

        @Override
        public void writeTo(DataOutput out) throws IOException {
            out.write(bytes);
        }
    }

    /** The link to one replica: its queue, its client and its thread. */
    private final class Link {
        private final IdentityFile peer;
        private final ClientSettings settings;
        private final BlockingQueue<Item> queue;
        private final Map<String, EnvelopeForwarder> forwarders = new HashMap<>();
        private final Encoded encoded = new Encoded();
        private final AtomicLong lost = new AtomicLong();
        private final AtomicLong sent = new AtomicLong();
        private final Thread thread;
        private final Backoff backoff;
        private RemoteBrokerClient client;
        private int failedAttempts;

        Link(IdentityFile peer, ClientSettings settings, int queue) {
            this.peer = peer;
            this.queue = new ArrayBlockingQueue<>(queue);
            this.settings = settings;
            this.backoff = new Backoff(settings.failover(), new SplittableRandom());
            this.thread = Thread.ofPlatform().daemon().name("d2r2-forward-" + peer.broker()).unstarted(this::run);
        }

        private void run() {
            try {
                while (!closed) {
                    Item item = queue.take();
                    if (connected()) {
                        sendOrDrop(item);
                    } else {
                        lost.incrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (client != null) {
                    client.close();
                }
            }
        }

        /** Sends one event; a failure of any kind loses it and the connection, never the link's thread. */
        private void sendOrDrop(Item item) {
            try {
                send(item);
            } catch (RuntimeException e) {
                lost.incrementAndGet();
                LOG.warn("forwarding to {} failed ({}); starting the link again", peer.broker(), e.toString());
                client.close();
                client = null;
                forwarders.clear();
            }
        }

        private void send(Item item) {
            EnvelopeForwarder f = forwarders.computeIfAbsent(item.tag(), client::forwarder);
            encoded.bytes = item.envelope();
            if (f.forward(encoded)) {
                sent.incrementAndGet();
                return;
            }
            lost.incrementAndGet();
            // The client gave up on the replica or the link broke: start again with a new one.
            client.close();
            client = null;
            forwarders.clear();
        }

        /** Whether the link has its client, connecting it (after a pause since the last failed attempt) if not. */
        private boolean connected() throws InterruptedException {
            if (client != null) {
                return true;
            }
            try {
                client = RemoteBrokerClient.connect(peer, peer.replicas(), settings);
                failedAttempts = 0;
                LOG.info("forwarding to {}", peer.broker());
                return true;
            } catch (IOException | RuntimeException e) {
                long pause = backoff.delayNanos(++failedAttempts);
                LOG.warn("forwarding to {}: not connected ({}); events for it are dropped, next attempt in {} ms",
                        peer.broker(), e.getMessage(), pause / 1_000_000);
                LockSupport.parkNanos(pause);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                return false;
            }
        }
    }
}
