package dev.d2r2.p2psip.contact;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.SignedValue;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Finds a user's contact data through the caller's lookup tunnels: one tunnel at a time, each
 * attempt ending at its channel's time-out; an answer that is missing, forged or expired is
 * counted and the next tunnel is tried, so one broken or lying exit does not stop a call. A tunnel
 * whose request timed out is reported to the owner, who may suspect a hop of it. A copy older than
 * {@code outdatedAfter} is outdated: its owner has published since (a storage peer the newer copy
 * missed, or the exit itself, still answers with the older one), and an entry point it names may be
 * gone; the next tunnel is tried too, and the newest outdated copy is taken only if no tunnel finds a
 * newer one.
 */
public final class ContactLookup {
    private final List<ExitChannel> channels;
    private final Clock clock;
    private final ContactCounters counters;
    private final Consumer<ExitChannel> timedOut;
    private final long outdatedAfterMillis;

    public ContactLookup(List<ExitChannel> channels, Clock clock, ContactCounters counters) {
        this(channels, clock, counters, channel -> { }, Duration.ofMillis(Long.MAX_VALUE));
    }

    /**
     * @param timedOut      told of each channel whose request got no answer within its time-out
     * @param outdatedAfter age after which a copy found is outdated (its owner publishes more often)
     */
    public ContactLookup(List<ExitChannel> channels, Clock clock, ContactCounters counters, Consumer<ExitChannel> timedOut,
                         Duration outdatedAfter) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("a lookup needs at least one tunnel");
        }
        this.channels = List.copyOf(channels);
        this.clock = clock;
        this.counters = counters;
        this.timedOut = timedOut;
        this.outdatedAfterMillis = outdatedAfter.toMillis();
    }

    /** Completes with the owner's valid contact data, or fails with a {@link NoSuchElementException} once every tunnel was tried. */
    public CompletableFuture<ContactData> find(byte[] ownerKey) {
        counters.lookups.incrementAndGet();
        return attempt(ownerKey.clone(), 0, null);
    }

    /** @param outdated the newest outdated copy found so far, or null */
    private CompletableFuture<ContactData> attempt(byte[] ownerKey, int index, ContactData outdated) {
        if (index == channels.size()) {
            if (outdated != null) {
                return CompletableFuture.completedFuture(outdated);
            }
            counters.notFound.incrementAndGet();
            return CompletableFuture.failedFuture(new NoSuchElementException(
                    "no valid contact data over " + channels.size() + " tunnels"));
        }
        if (index > 0) {
            counters.retries.incrementAndGet();
        }
        ExitChannel channel = channels.get(index);
        return channel.find(ContactData.keyOf(ownerKey))
                .handle((value, failure) -> {
                    if (failure != null) {
                        if ((failure instanceof CompletionException c ? c.getCause() : failure) instanceof TimeoutException) {
                            timedOut.accept(channel);
                        }
                        return null;
                    }
                    return value != null ? open(value, ownerKey) : null;
                })
                .thenCompose(data -> {
                    if (data != null && clock.millis() - data.issuedAtMillis() <= outdatedAfterMillis) {
                        return CompletableFuture.completedFuture(data);
                    }
                    if (data != null) {
                        counters.outdated.incrementAndGet();
                    }
                    return attempt(ownerKey, index + 1, newer(outdated, data));
                });
    }

    private static ContactData newer(ContactData a, ContactData b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return b.issuedAtMillis() > a.issuedAtMillis() ? b : a;
    }

    private ContactData open(SignedValue value, byte[] ownerKey) {
        try {
            return ContactData.open(value, ownerKey, clock.millis());
        } catch (BadContact e) {
            counters.refuse(e.reason());
            return null;
        }
    }
}
