package dev.d2r2.broker.wire;

/**
 * The last {@code size} events taken, by publisher, sequence number and envelope fingerprint,
 * so that a copy of one of them is recognised and not taken twice. It is a function of the
 * events taken alone (none is ever forgotten early, none remembered beyond the window), so two
 * holders that take the same events decide alike: a replicated channel's replicas (each one
 * rebuilt from its log after a restart), and the first-copy filter of a {@code forwarded}
 * subscription (fingerprint 0: by publisher and sequence number only).
 *
 * <p>No allocation per event: a ring of the last {@code size} keys and an open-addressing
 * index over it (linear probing, backward-shift deletion). Not thread-safe.
 */
public final class EventWindow {
    /** The window of a replicated channel and of a forwarded subscription unless told otherwise. */
    public static final int SIZE = 8192;

    private final int size;
    private final String[] publishers;
    private final long[] sequences;
    private final long[] fingerprints;
    /** Index: ring position + 1, or 0 for a free bucket; at least twice the ring, a power of two. */
    private final int[] buckets;
    private final int mask;
    private long taken;

    public EventWindow() {
        this(SIZE);
    }

    public EventWindow(int size) {
        if (size < 1 || size > 1 << 28) {
            throw new IllegalArgumentException("window size must be 1.." + (1 << 28) + ", not " + size);
        }
        this.size = size;
        this.publishers = new String[size];
        this.sequences = new long[size];
        this.fingerprints = new long[size];
        this.buckets = new int[Integer.highestOneBit(size) << 2];
        this.mask = buckets.length - 1;
    }

    public int size() {
        return size;
    }

    /** Whether the event is not among the last {@link #size} taken; if so it is taken (remembered). */
    public boolean take(String publisher, long sequence, long fingerprint) {
        int home = hash(publisher, sequence, fingerprint) & mask;
        for (int b = home; buckets[b] != 0; b = (b + 1) & mask) {
            int r = buckets[b] - 1;
            if (sequences[r] == sequence && fingerprints[r] == fingerprint && publishers[r].equals(publisher)) {
                return false;
            }
        }
        int slot = (int) (taken++ % size);
        if (publishers[slot] != null) {
            forget(slot);
        }
        publishers[slot] = publisher;
        sequences[slot] = sequence;
        fingerprints[slot] = fingerprint;
        int b = home;
        while (buckets[b] != 0) {
            b = (b + 1) & mask;
        }
        buckets[b] = slot + 1;
        return true;
    }

    /** Removes ring position {@code slot} from the index, shifting back the entries probed past it. */
    private void forget(int slot) {
        int hole = homeOf(slot);
        while (buckets[hole] != slot + 1) {
            hole = (hole + 1) & mask;
        }
        for (int b = (hole + 1) & mask; buckets[b] != 0; b = (b + 1) & mask) {
            int home = homeOf(buckets[b] - 1);
            boolean staysPut = hole <= b ? hole < home && home <= b : hole < home || home <= b;
            if (!staysPut) {
                buckets[hole] = buckets[b];
                hole = b;
            }
        }
        buckets[hole] = 0;
    }

    private int homeOf(int slot) {
        return hash(publishers[slot], sequences[slot], fingerprints[slot]) & mask;
    }

    private static int hash(String publisher, long sequence, long fingerprint) {
        long h = publisher.hashCode() * 0x9E3779B97F4A7C15L + sequence * 0xC2B2AE3D27D4EB4FL + fingerprint;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
    }
}
