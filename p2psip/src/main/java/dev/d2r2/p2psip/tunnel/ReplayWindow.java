package dev.d2r2.p2psip.tunnel;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Refuses a one-time message seen before: a setup record, a signalling envelope. Such a message
 * carries its sender's clock, so only messages within {@code windowMillis} of the receiver's clock
 * are accepted, and only their one-time keys need remembering (for twice the window): the memory is
 * bounded by the message rate times the window. Not thread-safe: one owner (an agent) calls it.
 */
public final class ReplayWindow {
    public enum Verdict { FRESH, STALE, REPLAYED }

    private record Seen(String key, long atMillis) {
    }

    private final long windowMillis;
    private final Set<String> keys = new HashSet<>();
    private final Deque<Seen> byAge = new ArrayDeque<>();

    public ReplayWindow(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** FRESH (and remembered), STALE (more than the window off the receiver's clock) or REPLAYED. */
    public Verdict admit(byte[] oneTimeKey, long senderMillis, long nowMillis) {
        while (!byAge.isEmpty() && byAge.peekFirst().atMillis() < nowMillis - 2 * windowMillis) {
            keys.remove(byAge.removeFirst().key());
        }
        if (Math.abs(nowMillis - senderMillis) > windowMillis) {
            return Verdict.STALE;
        }
        String key = HexFormat.of().formatHex(oneTimeKey);
        if (!keys.add(key)) {
            return Verdict.REPLAYED;
        }
        byAge.addLast(new Seen(key, nowMillis));
        return Verdict.FRESH;
    }
}
