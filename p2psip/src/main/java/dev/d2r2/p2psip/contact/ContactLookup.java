package dev.d2r2.p2psip.contact;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.SignedValue;

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
 * whose request timed out is reported to the owner, who may suspect a hop of it.
 */
public final class ContactLookup {
    private final List<ExitChannel> channels;
    private final Clock clock;
    private final ContactCounters counters;
    private final Consumer<ExitChannel> timedOut;

    public ContactLookup(List<ExitChannel> channels, Clock clock, ContactCounters counters) {
        this(channels, clock, counters, channel -> { });
    }

    /** @param timedOut told of each channel whose request got no answer within its time-out */
    public ContactLookup(List<ExitChannel> channels, Clock clock, ContactCounters counters, Consumer<ExitChannel> timedOut) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("a lookup needs at least one tunnel");
        }
        this.channels = List.copyOf(channels);
        this.clock = clock;
        this.counters = counters;
        this.timedOut = timedOut;
    }

    /** Completes with the owner's valid contact data, or fails with a {@link NoSuchElementException} once every tunnel was tried. */
    public CompletableFuture<ContactData> find(byte[] ownerKey) {
        counters.lookups.incrementAndGet();
        return attempt(ownerKey.clone(), 0);
    }

    private CompletableFuture<ContactData> attempt(byte[] ownerKey, int index) {
        if (index == channels.size()) {
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
                .thenCompose(data -> data != null ? CompletableFuture.completedFuture(data) : attempt(ownerKey, index + 1));
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
