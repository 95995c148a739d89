package dev.d2r2.cluster.events;

import dev.d2r2.broker.server.EventReplication;
import dev.d2r2.cluster.raft.ClusterClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Sends the events a replica takes on its replicated channels to the Raft log, many per entry:
 * one thread takes whatever has queued since its last entry (up to {@link #MAX_EVENTS} events or
 * {@link #MAX_BYTES}), makes one {@link EventBatch} per channel and appends it without waiting
 * for the commit, with at most {@link #MAX_IN_FLIGHT} entries uncommitted. Under light load
 * each event goes at once, alone; under heavy load the events that arrive while entries are in
 * flight make the next batch. Each event's outcome is told when its entry is committed, in order.
 *
 * <p>Why so few entries in flight: every entry costs the replicas a fixed round (log write,
 * replication, commit, apply) whatever its size. With Ratis' own window (100 requests) a steady
 * stream of small events queued up to 100 one-event entries, and each event waited for all
 * those before it: 1-2 s publish→deliver at a tenth of the maximum rate on a loaded 2-core host.
 * Holding events back while two entries are in flight makes them ride in the next entry instead.
 */
public final class EventBatcher implements EventReplication, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventBatcher.class);
    static final int MAX_EVENTS = 1024;
    static final int MAX_BYTES = 1 << 20;
    static final int MAX_IN_FLIGHT = 2;
    private static final int QUEUE = 1 << 16;

    private record Pending(String tag, byte[] envelope, Outcome done) {
    }

    private final ClusterClient client;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Thread thread;
    private volatile boolean closed;
    private Pending carried;

    public EventBatcher(ClusterClient client) {
        this.client = client;
        this.thread = Thread.ofPlatform().daemon().name("d2r2-raft-batcher").start(this::run);
    }

    /** Blocks while {@value #QUEUE} events wait: the publishers' reader threads slow down with the log. */
    @Override
    public void append(String tag, byte[] envelope, Outcome done) {
        try {
            queue.put(new Pending(tag, envelope, done));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.failed("interrupted");
        }
    }

    private void run() {
        while (!closed) {
            try {
                awaitSlot();
                send(next());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("replicating events failed", e);
            }
        }
    }

    /** Waits until an entry may go, so that the events arriving meanwhile ride in it. */
    private void awaitSlot() throws InterruptedException {
        inFlight.acquire();
        inFlight.release();
    }

    /** The events queued now, by channel, within the batch limits (at least one: waits for it). */
    private Map<String, List<Pending>> next() throws InterruptedException {
        Map<String, List<Pending>> byTag = new LinkedHashMap<>();
        Pending p = carried != null ? carried : queue.take();
        carried = null;
        int events = 0;
        long bytes = 0;
        while (p != null) {
            if (events > 0 && (events == MAX_EVENTS || bytes + p.envelope.length > MAX_BYTES)) {
                carried = p;
                break;
            }
            byTag.computeIfAbsent(p.tag, t -> new ArrayList<>()).add(p);
            events++;
            bytes += p.envelope.length;
            p = queue.poll();
        }
        return byTag;
    }

    private void send(Map<String, List<Pending>> byTag) throws InterruptedException {
        long now = System.currentTimeMillis();
        for (Map.Entry<String, List<Pending>> e : byTag.entrySet()) {
            inFlight.acquire();
            List<Pending> batch = e.getValue();
            List<byte[]> envelopes = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                envelopes.add(p.envelope);
            }
            CompletableFuture<Void> committed;
            try {
                committed = client.appendAsync(new EventBatch(e.getKey(), now, envelopes).encode());
            } catch (RuntimeException x) {
                committed = CompletableFuture.failedFuture(x);
            }
            committed.whenComplete((ok, failure) -> {
                inFlight.release();
                for (Pending p : batch) {
                    if (failure == null) {
                        p.done.committed();
                    } else {
                        p.done.failed(failure.getMessage());
                    }
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
