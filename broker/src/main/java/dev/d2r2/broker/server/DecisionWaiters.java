package dev.d2r2.broker.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The publishers of an {@code ordered} channel waiting for their events to be decided and taken
 * here, by channel, publisher, sequence number and payload fingerprint (a replayed event of an
 * earlier session with the same sequence number acknowledges nothing): an event is acknowledged
 * when a decided block brings it (or a copy of it the channel took before), and failed after the
 * patience, so that a leader that never proposes it costs the publisher a resend, not a hang.
 */
final class DecisionWaiters {
    private record Key(String tag, String publisher, long sequence, long payload) {
    }

    private final Map<Key, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
    private final Duration patience;

    DecisionWaiters(Duration patience) {
        this.patience = patience;
    }

    /** Tells {@code done} once the event is taken, or that it was not within the patience. */
    void await(String tag, String publisher, long sequence, long payload, EventReplication.Outcome done) {
        Key key = new Key(tag, publisher, sequence, payload);
        CompletableFuture<Void> f = waiting.computeIfAbsent(key, k -> {
            CompletableFuture<Void> n = new CompletableFuture<>();
            n.orTimeout(patience.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, x) -> waiting.remove(k, n));
            return n;
        });
        f.whenComplete((v, x) -> {
            if (x == null) {
                done.committed();
            } else {
                done.failed(x instanceof TimeoutException ? "not decided within " + patience.toMillis() + " ms"
                        : x.getMessage());
            }
        });
    }

    /** The event is taken (or was taken before): its waiting publishers are acknowledged. */
    void taken(String tag, String publisher, long sequence, long payload) {
        CompletableFuture<Void> f = waiting.remove(new Key(tag, publisher, sequence, payload));
        if (f != null) {
            f.complete(null);
        }
    }
}
