package dev.d2r2.overlay.kad;

import java.util.ArrayList;
import java.util.List;

/**
 * A node's view of the overlay: one {@link KBucket} per bit of distance, so at most 160 · k
 * contacts whatever the overlay's size. A flat array of buckets rather than the paper's split
 * tree: with k-sized buckets indexed by the highest differing bit the bound is the same, and the
 * far buckets (where most of the overlay lies) hold at most k each either way.
 */
public final class RoutingTable {
    private final NodeId self;
    private final int k;
    private final KBucket[] buckets = new KBucket[NodeId.BITS];

    public RoutingTable(NodeId self, int k, long now) {
        this.self = self;
        this.k = k;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new KBucket(k, now);
        }
    }

    public NodeId self() {
        return self;
    }

    /** See {@link KBucket#seen}: the contact to ping before evicting, or null. */
    public Contact seen(Contact c, long now, long pingTimeoutMillis) {
        int b = self.bucketOf(c.id());
        return b < 0 ? null : buckets[b].seen(c, now, pingTimeoutMillis);
    }

    public void failed(NodeId id, int maxFailures) {
        int b = self.bucketOf(id);
        if (b >= 0) {
            buckets[b].failed(id, maxFailures);
        }
    }

    public boolean contains(NodeId id) {
        int b = self.bucketOf(id);
        return b >= 0 && buckets[b].contains(id);
    }

    public int size() {
        int n = 0;
        for (KBucket b : buckets) {
            n += b.size();
        }
        return n;
    }

    public long nextPingDeadline() {
        long due = Long.MAX_VALUE;
        for (KBucket b : buckets) {
            due = Math.min(due, b.pingDeadline());
        }
        return due;
    }

    public void expirePings(long now) {
        for (KBucket b : buckets) {
            b.pingExpired(now);
        }
    }

    /** The {@code n} known contacts closest to {@code target}, closest first. */
    public List<Contact> closest(NodeId target, int n) {
        List<Contact> all = all();
        all.sort((a, b) -> target.compareDistance(a.id(), b.id()));
        return all.size() <= n ? all : new ArrayList<>(all.subList(0, n));
    }

    public List<Contact> all() {
        List<Contact> all = new ArrayList<>(size());
        for (KBucket b : buckets) {
            b.addTo(all);
        }
        return all;
    }

    int bucketSize(int index) {
        return buckets[index].size();
    }

    /** A lookup went towards {@code target}: its bucket needs no refresh for a while. */
    void touched(NodeId target, long now) {
        int b = self.bucketOf(target);
        if (b >= 0) {
            buckets[b].lastLookup = now;
        }
    }

    /** The non-empty buckets with no lookup since {@code before}; each is marked as looked up now. */
    List<Integer> staleBuckets(long before, long now) {
        List<Integer> stale = new ArrayList<>();
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i].size() > 0 && buckets[i].lastLookup < before) {
                buckets[i].lastLookup = now;
                stale.add(i);
            }
        }
        return stale;
    }

    public int k() {
        return k;
    }
}
