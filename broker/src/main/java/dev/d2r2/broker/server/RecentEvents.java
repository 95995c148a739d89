package dev.d2r2.broker.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The events a channel took lately, per publisher, to store each sealed event once: a publisher
 * that sends an event again (a retry on a new connection, a replay) gets its acknowledgement,
 * and the channel does not take it twice. Per publisher it remembers the last
 * {@link #WINDOW} sequence numbers, each with the fingerprint of its envelope, so that two
 * publishers of one identity that happen to use the same sequence numbers are never confused
 * (their envelopes differ): at worst, such a pair overwrites each other's entries and a resent
 * event is stored again, never is a new one dropped.
 */
final class RecentEvents {
    static final int WINDOW = 1024;
    private final Map<String, Window> byPublisher = new ConcurrentHashMap<>();

    /** Whether the event is new (then remembered); false if it was taken before. */
    boolean firstTime(String publisher, long sequence, long fingerprint) {
        Window w = byPublisher.computeIfAbsent(publisher, p -> new Window());
        synchronized (w) {
            int slot = (int) Math.floorMod(sequence, (long) WINDOW);
            if (w.sequences[slot] == sequence && w.fingerprints[slot] == fingerprint) {
                return false;
            }
            w.sequences[slot] = sequence;
            w.fingerprints[slot] = fingerprint;
            return true;
        }
    }

    private static final class Window {
        final long[] sequences = new long[WINDOW];
        final long[] fingerprints = new long[WINDOW];
    }
}
