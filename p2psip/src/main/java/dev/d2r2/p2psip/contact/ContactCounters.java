package dev.d2r2.p2psip.contact;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What a user agent's contact data did: publications, lookups, retries, and refusals by reason. */
public final class ContactCounters {
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    final AtomicLong lookups = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong notFound = new AtomicLong();
    final AtomicLong outdated = new AtomicLong();
    private final Map<BadContact.Reason, AtomicLong> refused = new EnumMap<>(BadContact.Reason.class);

    public ContactCounters() {
        for (BadContact.Reason r : BadContact.Reason.values()) {
            refused.put(r, new AtomicLong());
        }
    }

    /** A publication the storage overlay took (at least one replica), or one that failed or timed out. */
    public void countPublication(boolean stored) {
        (stored ? published : publishFailures).incrementAndGet();
    }

    void refuse(BadContact.Reason reason) {
        refused.get(reason).incrementAndGet();
    }

    public long published() {
        return published.get();
    }

    public long publishFailures() {
        return publishFailures.get();
    }

    /** Copies found older than the lookup's bound (their owner published since), so another tunnel was tried too. */
    public long outdated() {
        return outdated.get();
    }

    public long lookups() {
        return lookups.get();
    }

    /** Lookup attempts after the first, each over another tunnel. */
    public long retries() {
        return retries.get();
    }

    /** Lookups that found no valid contact data over any tunnel. */
    public long notFound() {
        return notFound.get();
    }

    public long refused(BadContact.Reason reason) {
        return refused.get(reason).get();
    }
}
