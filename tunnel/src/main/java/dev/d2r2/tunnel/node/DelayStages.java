package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * A node's test-only {@link DelayStage}s, one per uplink (a DN's one socket is its only uplink), so
 * that a frame on an undelayed uplink never queues behind a delayed one: a delayed uplink is a
 * longer path. Like each stage, the set belongs to one thread: the TUN reader has one for the data
 * frames, the role another for its control frames (hellos, BFD, path probes and echoes).
 */
final class DelayStages {
    private final DelayStage[] stages;

    private DelayStages(DelayStage[] stages) {
        this.stages = stages;
    }

    /** The stages of {@code perUplink} (null: that uplink is not delayed), or null when no uplink is. */
    static DelayStages of(TestDelay[] perUplink, int slotBytes, Clock clock, SplittableRandom random) {
        DelayStage[] stages = new DelayStage[perUplink.length];
        boolean any = false;
        for (int i = 0; i < stages.length; i++) {
            if (perUplink[i] != null) {
                stages[i] = new DelayStage(perUplink[i], slotBytes, clock, random.split());
                any = true;
            }
        }
        return any ? new DelayStages(stages) : null;
    }

    boolean delays(int uplink) {
        return stages[uplink] != null;
    }

    /** Holds a frame for a delayed uplink; false when its ring is full. */
    boolean hold(ByteBuffer frame, int uplink, InetSocketAddress to) {
        return stages[uplink].hold(frame, uplink, to);
    }

    /** Sends every due frame of every uplink. */
    void release(DelayStage.Sink sink) throws IOException {
        for (DelayStage s : stages) {
            if (s != null) {
                s.release(sink);
            }
        }
    }

    /** Nanoseconds until the next held frame is due (0 when one is), or -1 when none is held. */
    long nanosUntilDue() {
        long next = -1;
        for (DelayStage s : stages) {
            long n = s == null ? -1 : s.nanosUntilDue();
            if (n >= 0 && (next < 0 || n < next)) {
                next = n;
            }
        }
        return next;
    }
}
