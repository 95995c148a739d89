package dev.d2r2.core;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Rendezvous (highest random weight) hashing: a key belongs to the member with the highest
 * weight for the pair. When a member leaves, only its keys move, spread over the others; when
 * one joins, it takes only its share. The weighted form gives each member a share of keys in
 * proportion to its capacity (Schindelhauer and Schomaker's logarithmic method).
 */
public final class Rendezvous {
    private Rendezvous() {
    }

    /** The member owning {@code key}, or null when there is none. */
    public static String owner(String key, Collection<String> members) {
        String best = null;
        long bestWeight = 0;
        for (String p : members) {
            long w = mix(hash(p + '\0' + key));
            if (best == null || Long.compareUnsigned(w, bestWeight) > 0 || w == bestWeight && p.compareTo(best) < 0) {
                best = p;
                bestWeight = w;
            }
        }
        return best;
    }

    /**
     * The score of a member (identified by {@code memberHash}, with {@code capacity} > 0) for a key
     * ({@code keyHash}): the member with the highest score owns the key.
     */
    public static double score(long keyHash, long memberHash, double capacity) {
        long h = mix(keyHash ^ Long.rotateLeft(memberHash, 29) * 0x9e3779b97f4a7c15L);
        double u = ((h >>> 11) + 1) * 0x1.0p-53;
        return -capacity / Math.log(u);
    }

    /** FNV-1a over the text's UTF-8 bytes. */
    public static long hash(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return hash(b, 0, b.length);
    }

    /** FNV-1a over {@code b[from, to)}. */
    public static long hash(byte[] b, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            h = (h ^ (b[i] & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /** The murmur3 finalizer: every input bit affects every output bit. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
