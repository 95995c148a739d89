package dev.d2r2.tunnel.bfd;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Two BFD sessions joined by a link that delivers instantly unless cut in one direction, driven in
 * virtual milliseconds: the test harness for the state machine and its timers.
 */
final class BfdPair {
    final BfdSession active;
    final BfdSession passive;
    boolean activeToPassive = true;
    boolean passiveToActive = true;
    boolean activeSilent;
    long now;
    long lastPassiveHeardActive = -1;
    final List<Long> activeSends = new ArrayList<>();
    final List<long[]> passiveChanges = new ArrayList<>();

    BfdPair(BfdTimers activeTimers, BfdTimers passiveTimers, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        active = new BfdSession(activeTimers, 0x11, false, random.split(), 0);
        passive = new BfdSession(passiveTimers, 0x22, true, random.split(), 0);
    }

    /** Runs until {@code until}, one virtual millisecond at a time. */
    void runUntil(long until) {
        for (; now <= until; now++) {
            if (!activeSilent && active.nextDueMillis() <= now) {
                BfdPacket p = active.onTimer(now);
                if (p != null) {
                    activeSends.add(now);
                    if (activeToPassive) {
                        lastPassiveHeardActive = now;
                        observe(passive.onPacket(p, now));
                    }
                }
            }
            if (passive.nextDueMillis() <= now) {
                BfdState before = passive.state();
                BfdPacket p = passive.onTimer(now);
                if (passive.state() != before) {
                    passiveChanges.add(new long[]{now, passive.state().ordinal()});
                }
                if (p != null && passiveToActive) {
                    active.onPacket(p, now);
                }
            }
        }
    }

    private void observe(BfdState after) {
        if (passiveChanges.isEmpty() || passiveChanges.getLast()[1] != after.ordinal()) {
            passiveChanges.add(new long[]{now, after.ordinal()});
        }
    }
}
