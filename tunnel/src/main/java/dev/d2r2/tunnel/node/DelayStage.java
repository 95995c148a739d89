package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * The tunnel's own test-only delay stage ({@code test-delay:}): sealed frames wait here a fixed
 * delay plus a uniform 0..jitter before they are sent, because netem is not available on this
 * machine. A ring of buffers allocated once, with each slot's due time, destination and uplink,
 * so that nothing is allocated per packet. It belongs to one thread (the TUN reader), which holds
 * frames, sleeps no longer than {@link #nanosUntilDue()} and then {@link #release releases} them.
 * Frames leave in the order they came: a jittered frame is never due before the one ahead of it,
 * as on a queue. When the ring is full the frame is refused, and its sender counts it dropped.
 */
final class DelayStage {
    /** Where a released frame goes. */
    interface Sink {
        void send(ByteBuffer frame, int uplink, InetSocketAddress to) throws IOException;
    }

    private final Clock clock;
    private final SplittableRandom random;
    private final long delayNanos;
    private final long jitterNanos;
    private final ByteBuffer[] slots;
    private final long[] due;
    private final int[] uplink;
    private final InetSocketAddress[] to;
    private int head;
    private int size;
    private long lastDue = Long.MIN_VALUE;

    DelayStage(TestDelay config, int slotBytes, Clock clock, SplittableRandom random) {
        this.clock = clock;
        this.random = random;
        this.delayNanos = config.delay().toNanos();
        this.jitterNanos = config.jitterOrZero().toNanos();
        int n = config.slotsOrDefault();
        this.slots = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            slots[i] = ByteBuffer.allocateDirect(slotBytes);
        }
        this.due = new long[n];
        this.uplink = new int[n];
        this.to = new InetSocketAddress[n];
    }

    /** Copies {@code frame} (position to limit) into the ring; false when the ring is full or the frame too long. */
    boolean hold(ByteBuffer frame, int uplinkIndex, InetSocketAddress destination) {
        if (size == slots.length || frame.remaining() > slots[0].capacity()) {
            return false;
        }
        int tail = (head + size) % slots.length;
        ByteBuffer slot = slots[tail];
        slot.clear();
        slot.put(frame);
        slot.flip();
        long when = clock.nanos() + delayNanos + (jitterNanos == 0 ? 0 : random.nextLong(jitterNanos + 1));
        lastDue = size == 0 ? when : Math.max(when, lastDue);
        due[tail] = lastDue;
        uplink[tail] = uplinkIndex;
        to[tail] = destination;
        size++;
        return true;
    }

    /** Nanoseconds until the first held frame is due (0 when it is), or -1 when none is held. */
    long nanosUntilDue() {
        return size == 0 ? -1 : Math.max(0, due[head] - clock.nanos());
    }

    /** Sends every frame that is due, oldest first; returns how many. A failed send is the sink's to count. */
    int release(Sink sink) throws IOException {
        int sent = 0;
        long now = clock.nanos();
        while (size > 0 && due[head] - now <= 0) {
            ByteBuffer slot = slots[head];
            InetSocketAddress destination = to[head];
            int up = uplink[head];
            to[head] = null;
            head = (head + 1) % slots.length;
            size--;
            sent++;
            sink.send(slot, up, destination);
        }
        return sent;
    }

    int held() {
        return size;
    }
}
