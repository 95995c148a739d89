package dev.d2r2.p2psip.auth;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Remembers each (user, nonce) answered within twice the replay window. The memory is bounded:
 * when full, new requests are refused as replays rather than forgetting early, so a flood of
 * authentic requests cannot open a replay hole. Owned by the server's thread.
 */
final class ReplayGuard {
    static final int MAX_REMEMBERED = 100_000;

    private record Key(String user, long nonce) {
    }

    private record Seen(Key key, long atMillis) {
    }

    private final long windowMillis;
    private final Set<Key> seen = new HashSet<>();
    private final ArrayDeque<Seen> order = new ArrayDeque<>();

    ReplayGuard(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    void check(String user, long nonce, long sentMillis, long nowMillis) throws RequestRefused {
        if (Math.abs(nowMillis - sentMillis) > windowMillis) {
            throw new RequestRefused(Refusal.STALE, "sent at " + sentMillis + ", " + (nowMillis - sentMillis) + " ms from the server's clock");
        }
        Seen s;
        while ((s = order.peekFirst()) != null && s.atMillis() < nowMillis - 2 * windowMillis) {
            seen.remove(order.pollFirst().key());
        }
        Key key = new Key(user, nonce);
        if (seen.contains(key) || seen.size() >= MAX_REMEMBERED) {
            throw new RequestRefused(Refusal.REPLAYED, "nonce " + Long.toHexString(nonce) + " seen before");
        }
        seen.add(key);
        order.addLast(new Seen(key, nowMillis));
    }
}
