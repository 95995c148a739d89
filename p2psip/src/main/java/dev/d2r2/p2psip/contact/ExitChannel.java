package dev.d2r2.p2psip.contact;

import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.Tunnel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * An outbound tunnel used as a user agent's way into the overlay: requests to its exit
 * ({@link TunnelExit}) and their answers, matched by request id, each given up after a time-out.
 * While its tunnel is closed and being rebuilt, requests and signalling wait (within the time-out) for
 * the new one rather than go into the closed one and be lost: right after churn a publication or an
 * answer that no one retransmits (a SIP 180) would otherwise be lost with the tunnel.
 */
public final class ExitChannel {
    private final Map<Integer, CompletableFuture<ExitMessage>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final Duration timeout;
    private volatile Tunnel tunnel;
    /** Sends waiting for the tunnel that replaces a closed one; guarded by this channel. */
    private final List<CompletableFuture<Tunnel>> waiting = new ArrayList<>();

    private ExitChannel(Duration timeout) {
        this.timeout = timeout;
    }

    /** Builds an outbound tunnel through {@code path} (its last hop is the exit) and completes once the exit acknowledged it. */
    public static CompletableFuture<ExitChannel> open(Relay relay, List<Hop> path, Duration timeout) {
        ExitChannel channel = new ExitChannel(timeout);
        return channel.reopen(relay, path).thenApply(t -> channel);
    }

    /**
     * Builds a new tunnel through {@code path} and, once its exit acknowledged it, sends through it instead of
     * the old one (whose hop left): requests under way on the old tunnel time out and are retried by their caller.
     */
    public CompletableFuture<Tunnel> reopen(Relay relay, List<Hop> path) {
        return relay.build(path, this::answer).thenApply(t -> {
            List<CompletableFuture<Tunnel>> ready;
            synchronized (this) {
                tunnel = t;
                ready = List.copyOf(waiting);
                waiting.clear();
            }
            ready.forEach(w -> w.complete(t));
            return t;
        });
    }

    /** The tunnel if it stands, else the one that replaces it (completes when its exit acknowledged it). */
    private synchronized CompletableFuture<Tunnel> standing() {
        if (!tunnel.closed().isDone()) {
            return CompletableFuture.completedFuture(tunnel);
        }
        CompletableFuture<Tunnel> next = new CompletableFuture<>();
        waiting.add(next);
        // a waiter that is given up leaves the list, so a tunnel rebuilt only much later does not find a crowd
        next.whenComplete((t, e) -> {
            synchronized (this) {
                waiting.remove(next);
            }
        });
        return next;
    }

    public Tunnel tunnel() {
        return tunnel;
    }

    /** Stores {@code value} through the exit; completes with the number of replicas that took it. */
    public CompletableFuture<Integer> store(SignedValue value) {
        return request(id -> new ExitMessage.Store(id, value)).thenApply(m -> ((ExitMessage.Stored) m).replicas());
    }

    /** Looks {@code key} up through the exit; completes with the value found, or null. */
    public CompletableFuture<SignedValue> find(NodeId key) {
        return request(id -> new ExitMessage.Find(id, key)).thenApply(m -> ((ExitMessage.Found) m).value());
    }

    /**
     * Has the exit hand {@code data} to another user's inbound tunnel at {@code entry}; if the tunnel is closed, through
     * its replacement once built (dropped if none is within the time-out).
     */
    public void enter(EntryPoint entry, byte[] data) {
        byte[] cell = ExitMessage.encode(new ExitMessage.Enter(entry, data));
        standing().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).thenAccept(t -> t.send(cell));
    }

    /** Answers that were malformed, unexpected, or came after their request's time-out. */
    public long refused() {
        return refused.get();
    }

    private CompletableFuture<ExitMessage> request(IntFunction<ExitMessage> message) {
        int id = nextId.incrementAndGet();
        CompletableFuture<ExitMessage> answer = new CompletableFuture<>();
        pending.put(id, answer);
        byte[] cell = ExitMessage.encode(message.apply(id));
        CompletableFuture<Tunnel> ready = standing();
        ready.thenAccept(t -> t.send(cell));
        return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((m, e) -> {
            pending.remove(id);
            ready.cancel(false);
        });
    }

    private void answer(byte[] data) {
        try {
            ExitMessage m = ExitMessage.decode(data);
            int id = switch (m) {
                case ExitMessage.Stored s -> s.requestId();
                case ExitMessage.Found f -> f.requestId();
                default -> throw new IllegalArgumentException("not an answer: " + m.getClass().getSimpleName());
            };
            CompletableFuture<ExitMessage> waiting = pending.remove(id);
            if (waiting == null) {
                refused.incrementAndGet();
            } else {
                waiting.complete(m);
            }
        } catch (IllegalArgumentException e) {
            refused.incrementAndGet();
        }
    }
}
