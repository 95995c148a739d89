package dev.d2r2.p2psip.contact;

import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.Tunnel;

import java.time.Duration;
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
 */
public final class ExitChannel {
    private final Map<Integer, CompletableFuture<ExitMessage>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final Duration timeout;
    private volatile Tunnel tunnel;

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
            tunnel = t;
            return t;
        });
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

    /** Has the exit hand {@code data} to another user's inbound tunnel at {@code entry}. */
    public void enter(EntryPoint entry, byte[] data) {
        tunnel.send(ExitMessage.encode(new ExitMessage.Enter(entry, data)));
    }

    /** Answers that were malformed, unexpected, or came after their request's time-out. */
    public long refused() {
        return refused.get();
    }

    private CompletableFuture<ExitMessage> request(IntFunction<ExitMessage> message) {
        int id = nextId.incrementAndGet();
        CompletableFuture<ExitMessage> answer = new CompletableFuture<>();
        pending.put(id, answer);
        tunnel.send(ExitMessage.encode(message.apply(id)));
        return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((m, e) -> pending.remove(id));
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
