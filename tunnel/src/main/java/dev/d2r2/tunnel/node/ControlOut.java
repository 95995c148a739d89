package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.PacketMac;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A role's control frames out (hellos, BFD, path probes and echoes, ...), owned by the role's
 * thread: sealed in one scratch buffer and sent at once, or, on an uplink with a test-only delay,
 * held in the role's own {@link DelayStages} and sent by {@link #release} from the role's timer, so
 * that BFD and the path scorer see the delay the data sees.
 */
final class ControlOut {
    static final int FRAME_BYTES = 256;
    private final DatagramChannel[] channels;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(FRAME_BYTES);
    private final DelayStages delay;
    private final Counters counters;
    /** Bound once: a method reference taken per release would be an allocation. */
    private final DelayStage.Sink sink = this::sendNow;

    /** {@code delay}: stages sized {@link #FRAME_BYTES} per slot, or null. */
    ControlOut(DatagramChannel[] channels, DelayStages delay, Counters counters) {
        this.channels = channels.clone();
        this.delay = delay;
        this.counters = counters;
    }

    /** Seals {@code message} to {@code peer} and sends it on {@code uplink} to {@code to}, now or once its delay has passed. */
    void send(int uplink, Peer peer, PacketMac mac, Control message, InetSocketAddress to) throws IOException {
        DataPath.sealControl(scratch, peer, mac, message);
        if (delay == null || !delay.delays(uplink)) {
            channels[uplink].send(scratch, to);
        } else if (!delay.hold(scratch, uplink, to)) {
            counters.drops.count(Drop.NO_ROUTE);
        }
    }

    /** When the next held frame is due, in the role's milliseconds, or {@link Long#MAX_VALUE} when none is held. */
    long nextDueMillis(long nowMillis) {
        long nanos = delay == null ? -1 : delay.nanosUntilDue();
        return nanos < 0 ? Long.MAX_VALUE : nowMillis + (nanos + 999_999) / 1_000_000;
    }

    /** Sends the held frames that are due. */
    void release() throws IOException {
        if (delay != null) {
            delay.release(sink);
        }
    }

    private void sendNow(ByteBuffer frame, int uplink, InetSocketAddress to) throws IOException {
        channels[uplink].send(frame, to);
    }
}
