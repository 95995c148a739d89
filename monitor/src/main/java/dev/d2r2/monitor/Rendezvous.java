package dev.d2r2.monitor;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Rendezvous (highest random weight) hashing: a service belongs to the live peer with the
 * highest weight for the pair. When a peer leaves, only its services move, spread over the others.
 */
final class Rendezvous {
    private Rendezvous() {
    }

    static String owner(String service, Collection<String> peers) {
        String best = null;
        long bestWeight = 0;
        for (String p : peers) {
            long w = weight(p, service);
            if (best == null || Long.compareUnsigned(w, bestWeight) > 0 || w == bestWeight && p.compareTo(best) < 0) {
                best = p;
                bestWeight = w;
            }
        }
        return best;
    }

    /** FNV-1a over "peer\0service", then the murmur3 finalizer for avalanche. */
    static long weight(String peer, String service) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (peer + '\0' + service).getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
