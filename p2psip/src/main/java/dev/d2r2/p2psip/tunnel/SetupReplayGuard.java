package dev.d2r2.p2psip.tunnel;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Refuses a setup record seen before. A record carries the origin's clock, so only records within
 * {@code windowMillis} of this relay's clock are accepted, and only their one-time keys need
 * remembering: the memory is bounded by the setup rate times the window.
 */
final class SetupReplayGuard {
    private record Seen(String key, long atMillis) {
    }

    private final long windowMillis;
    private final Set<String> keys = new HashSet<>();
    private final Deque<Seen> byAge = new ArrayDeque<>();

    SetupReplayGuard(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** @throws MalformedCell SETUP_STALE or SETUP_REPLAY */
    void admit(byte[] oneTimePublic, long originMillis, long nowMillis) throws MalformedCell {
        while (!byAge.isEmpty() && byAge.peekFirst().atMillis() < nowMillis - 2 * windowMillis) {
            keys.remove(byAge.removeFirst().key());
        }
        if (Math.abs(nowMillis - originMillis) > windowMillis) {
            throw new MalformedCell(Refusal.SETUP_STALE, "setup record " + (nowMillis - originMillis) + " ms off this relay's clock");
        }
        String key = HexFormat.of().formatHex(oneTimePublic);
        if (!keys.add(key)) {
            throw new MalformedCell(Refusal.SETUP_REPLAY, "setup record replayed");
        }
        byAge.addLast(new Seen(key, nowMillis));
    }
}
