package dev.d2r2.tunnel.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A constant-rate stream of sequence-numbered UDP datagrams to an {@link EchoServer}, recording
 * which came back: a failover shows as a run of missing sequence numbers, and at a known rate the
 * run's length is the loss window (what the thesis measured with ping). Bounded in count; the
 * sender paces by the monotonic clock and never sends faster than the rate.
 */
public final class SeqProbe implements AutoCloseable {
    /** A run of {@code length} consecutive sequence numbers from {@code first} that never came back. */
    public record Gap(long first, long length) {
    }

    private final DatagramChannel channel;
    private final InetSocketAddress target;
    private final long periodNanos;
    private final long count;
    private final BitSet echoed = new BitSet();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong highestEchoed = new AtomicLong(-1);
    private volatile boolean stopped;
    private volatile long startedAtMillis;
    private Thread sender;
    private Thread receiver;

    private SeqProbe(DatagramChannel channel, InetSocketAddress target, int perSecond, long count) {
        this.channel = channel;
        this.target = target;
        this.periodNanos = 1_000_000_000L / perSecond;
        this.count = count;
    }

    /** Opens a socket (in the calling thread's network namespace) and starts sending {@code count} datagrams at {@code perSecond}. */
    public static SeqProbe start(InetSocketAddress target, int perSecond, long count) throws IOException {
        if (perSecond < 1 || perSecond > 100_000 || count < 1 || count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a rate of 1 to 100000 per second and a positive count, not " + perSecond + ", " + count);
        }
        SeqProbe p = new SeqProbe(DatagramChannel.open().bind(new InetSocketAddress(0)), target, perSecond, count);
        p.receiver = Thread.ofPlatform().name("d2r2-probe-rx").daemon().start(p::receive);
        p.sender = Thread.ofPlatform().name("d2r2-probe-tx").daemon().start(p::send);
        return p;
    }

    private void send() {
        ByteBuffer buf = ByteBuffer.allocateDirect(16);
        long start = System.nanoTime();
        startedAtMillis = System.currentTimeMillis();
        for (long seq = 0; seq < count && !stopped; seq++) {
            long due = start + seq * periodNanos;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            buf.clear();
            buf.putLong(seq).putLong(System.nanoTime()).flip();
            try {
                channel.send(buf, target);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // no route at this moment (the tunnel has no DN): the datagram counts as lost
            }
            sent.set(seq + 1);
        }
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        while (true) {
            try {
                buf.clear();
                channel.receive(buf);
                if (buf.position() < 16) {
                    continue;
                }
                long seq = buf.getLong(0);
                if (seq < 0 || seq >= count) {
                    continue;
                }
                synchronized (echoed) {
                    echoed.set((int) seq);
                }
                received.incrementAndGet();
                highestEchoed.accumulateAndGet(seq, Math::max);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // an ICMP error for an earlier datagram: keep receiving
            }
        }
    }

    /** The wall-clock time of datagram 0 (datagram n is due {@code n / rate} seconds later). */
    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** How many datagrams have been sent (the next sequence number). */
    public long sent() {
        return sent.get();
    }

    public long received() {
        return received.get();
    }

    /** The highest sequence number echoed so far, -1 before any. */
    public long highestEchoed() {
        return highestEchoed.get();
    }

    /** Whether the sender has sent all it was asked to. */
    public boolean done() {
        return sent.get() >= count || !sender.isAlive();
    }

    /** The runs of sequence numbers below {@code upTo} that did not come back. */
    public List<Gap> gaps(long upTo) {
        List<Gap> gaps = new ArrayList<>();
        synchronized (echoed) {
            long i = echoed.nextClearBit(0);
            while (i < upTo) {
                long end = Math.min(upTo, echoed.nextSetBit((int) i) < 0 ? upTo : echoed.nextSetBit((int) i));
                gaps.add(new Gap(i, end - i));
                i = echoed.nextClearBit((int) end);
            }
        }
        return gaps;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stopped = true;
        sender.join(2000);
        channel.close();
        receiver.join(2000);
    }
}
