package dev.d2r2.overlay.kad;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The values a node holds for others, bounded in number. A value is accepted only when its
 * owner's signature verifies (checked once per new content) and its sequence number is above the
 * held one: a forged or replayed older value cannot overwrite an owner's key.
 */
public final class ValueStore {
    public enum Verdict { ACCEPTED, REFRESHED, BAD_SIGNATURE, STALE, FULL }

    static final class Held {
        final SignedValue value;
        long expiresAt;
        long nextReplicate;

        Held(SignedValue value, long expiresAt, long nextReplicate) {
            this.value = value;
            this.expiresAt = expiresAt;
            this.nextReplicate = nextReplicate;
        }
    }

    private final int capacity;
    private final Map<NodeId, Held> held = new HashMap<>();

    public ValueStore(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Holds a value until {@code expiresAt}; {@code nextReplicate} is when this node should next
     * store it on the others (pushed back when another holder has just done so).
     */
    Verdict put(SignedValue v, long expiresAt, long nextReplicate) {
        Held h = held.get(v.key());
        if (h != null && h.value.sameAs(v)) {
            h.expiresAt = Math.max(h.expiresAt, expiresAt);
            h.nextReplicate = Math.max(h.nextReplicate, nextReplicate);
            return Verdict.REFRESHED;
        }
        if (h != null && v.seq() <= h.value.seq()) {
            return Verdict.STALE;
        }
        if (h == null && held.size() >= capacity) {
            return Verdict.FULL;
        }
        if (!v.verify()) {
            return Verdict.BAD_SIGNATURE;
        }
        held.put(v.key(), new Held(v, expiresAt, nextReplicate));
        return Verdict.ACCEPTED;
    }

    public SignedValue get(NodeId key, long now) {
        Held h = held.get(key);
        return h == null || h.expiresAt <= now ? null : h.value;
    }

    int expire(long now) {
        int n = 0;
        for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAt <= now) {
                it.remove();
                n++;
            }
        }
        return n;
    }

    /** The held values due for replication; each is rescheduled to {@code next}. */
    List<Held> dueForReplication(long now, long next) {
        List<Held> due = new ArrayList<>();
        for (Held h : held.values()) {
            if (h.nextReplicate <= now && h.expiresAt > now) {
                h.nextReplicate = next;
                due.add(h);
            }
        }
        return due;
    }

    public int size() {
        return held.size();
    }
}
