package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.TunDevice;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.DropCounters;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.ReplayWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A tunnel node's packet pumps, each on its own thread with its own native buffer (reused for
 * every packet): TUN → seal → UDP, and, per UDP socket (a multihomed EN has one per uplink),
 * UDP → open → TUN (data) or the role (control). The payload
 * is read from the TUN device straight after the room left for the GRE header, so a packet is
 * never copied. Who gets a packet from the TUN device is the {@link Router}'s choice, and on which
 * socket it leaves the {@link Uplinks}'; what an authenticated frame may do is the {@link Inbound}'s.
 */
final class DataPath implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataPath.class);
    static final int BUFFER_BYTES = 65_536;
    private static final int MAX_PAYLOAD = BUFFER_BYTES - GreFrame.OVERHEAD;

    /** Chooses the peer for a packet read from the TUN device, or null when none can carry it. */
    interface Router {
        Peer route(ByteBuffer packet, int offset, int length);
    }

    /** Picks the socket for the next packet out of the TUN device; called on the TUN reader only. */
    interface Uplinks {
        int next();
    }

    /** Finds the key of a frame by its sender and tunnel id (an EN has one key per DN under one id), or null for none. */
    interface ReaderKeys {
        PacketMac macFor(InetSocketAddress from, int tunnelId);
    }

    /** What the UDP reader asks of its role; called on the reader thread. */
    interface Inbound {
        /** The keys one UDP reader checks frames with, asked once per reader: a {@link PacketMac} is never shared between threads. */
        ReaderKeys readerKeys();

        /** A control message from {@code from}; hand it to the role. */
        void control(InetSocketAddress from, int tunnelId, Control message);

        /** Whether an authenticated data frame of {@code tunnelId} may enter the TUN device. */
        boolean data(int tunnelId);

        /** The replay window of the sender of an authenticated frame, or null for a sender this node does not know. */
        ReplayWindow window(InetSocketAddress from, int tunnelId);
    }

    private final TunDevice tun;
    private final DatagramChannel[] channels;
    private final Router router;
    private final Uplinks uplinks;
    private final Inbound inbound;
    private final DropCounters drops;
    private final Counters counters;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment outSegment = arena.allocate(BUFFER_BYTES);
    private volatile boolean running = true;
    private final List<Thread> threads = new ArrayList<>();
    private final DelayStages delay;
    /** Bound once: a method reference taken per packet would be an allocation. */
    private final DelayStage.Sink delayedSend = this::send;

    DataPath(TunDevice tun, DatagramChannel channel, Router router, Inbound inbound, Counters counters, DelayStages delay) {
        this(tun, new DatagramChannel[]{channel}, router, () -> 0, inbound, counters, delay);
    }

    /** {@code delay}: the test-only {@link DelayStages} the data frames of delayed uplinks go through, or null. */
    DataPath(TunDevice tun, DatagramChannel[] channels, Router router, Uplinks uplinks, Inbound inbound, Counters counters,
             DelayStages delay) {
        this.delay = delay;
        this.tun = tun;
        this.channels = channels.clone();
        this.router = router;
        this.uplinks = uplinks;
        this.inbound = inbound;
        this.counters = counters;
        this.drops = counters.drops;
    }

    void start(String name) {
        threads.add(Thread.ofPlatform().name("d2r2-" + name + "-tun-out").daemon().start(this::tunToUdp));
        for (int i = 0; i < channels.length; i++) {
            int socket = i;
            MemorySegment segment = arena.allocate(BUFFER_BYTES);
            threads.add(Thread.ofPlatform().name("d2r2-" + name + "-udp-in-" + i).daemon().start(() -> udpToTun(socket, segment)));
        }
    }

    private void tunToUdp() {
        ByteBuffer buf = outSegment.asByteBuffer();
        while (running) {
            try {
                int n = tun.read(outSegment, GreFrame.HEADER_BYTES, MAX_PAYLOAD, readWaitMillis());
                if (n == 0) {
                    continue;
                }
                int protocol = GreFrame.protocolOf(buf, GreFrame.HEADER_BYTES);
                Peer peer = protocol < 0 ? null : router.route(buf, GreFrame.HEADER_BYTES, n);
                if (peer == null) {
                    drops.count(protocol < 0 ? Drop.MALFORMED : Drop.NO_ROUTE);
                    continue;
                }
                buf.clear();
                GreFrame.seal(buf, protocol, peer.tunnelId, peer.sequence.getAndIncrement(), n, peer.dataMac);
                int uplink = uplinks.next();
                if (delay == null || !delay.delays(uplink)) {
                    send(buf, uplink, peer.endpoint);
                } else if (!delay.hold(buf, uplink, peer.endpoint)) {
                    drops.count(Drop.NO_ROUTE);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (running) {
                    drops.count(Drop.NO_ROUTE);
                }
            }
        }
    }

    /** How long the TUN reader may block: until the delay stage's next frame is due, released first. */
    private int readWaitMillis() throws IOException {
        if (delay == null) {
            return 100;
        }
        delay.release(delayedSend);
        long nanos = delay.nanosUntilDue();
        return nanos < 0 ? 100 : (int) Math.min(100, nanos / 1_000_000);
    }

    private void send(ByteBuffer frame, int uplink, InetSocketAddress to) throws IOException {
        channels[uplink].send(frame, to);
        counters.sent.incrementAndGet();
        counters.sentOn.incrementAndGet(uplink);
    }

    private void udpToTun(int socket, MemorySegment inSegment) {
        DatagramChannel channel = channels[socket];
        ReaderKeys keys = inbound.readerKeys();
        ByteBuffer buf = inSegment.asByteBuffer();
        while (running) {
            try {
                buf.clear();
                InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
                buf.flip();
                Drop drop = GreFrame.header(buf);
                if (drop == null) {
                    drop = GreFrame.verify(buf, keys.macFor(from, GreFrame.tunnelId(buf)));
                }
                if (drop != null) {
                    drops.count(drop);
                    continue;
                }
                int tunnelId = GreFrame.tunnelId(buf);
                ReplayWindow window = inbound.window(from, tunnelId);
                if (window != null && !accepted(window, GreFrame.sequence(buf))) {
                    drops.count(Drop.REPLAYED);
                    continue;
                }
                int length = GreFrame.payloadLength(buf);
                if (GreFrame.protocol(buf) == GreFrame.PROTO_CONTROL) {
                    Control message;
                    try {
                        message = Control.read(buf, GreFrame.HEADER_BYTES, length);
                    } catch (IllegalArgumentException e) {
                        drops.count(Drop.MALFORMED);
                        continue;
                    }
                    counters.received.incrementAndGet();
                    inbound.control(from, tunnelId, message);
                } else if (!inbound.data(tunnelId)) {
                    drops.count(Drop.UNKNOWN_TUNNEL);
                } else if (tun.write(inSegment, GreFrame.HEADER_BYTES, length)) {
                    counters.received.incrementAndGet();
                    counters.receivedOn.incrementAndGet(socket);
                } else {
                    drops.count(Drop.NO_ROUTE);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (running) {
                    LOG.warn("tunnel receive failed: {}", e.toString());
                }
            }
        }
    }

    /** A sender's frames may arrive on several uplinks' readers at once; the lock is uncontended but then. */
    private static boolean accepted(ReplayWindow window, int sequence) {
        synchronized (window) {
            return window.accept(sequence, System.nanoTime());
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        IOException failed = null;
        for (DatagramChannel c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                failed = failed == null ? e : failed;
            }
        }
        try {
            for (Thread t : threads) {
                t.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tun.close();
        arena.close();
        if (failed != null) {
            throw failed;
        }
    }

    /** Used only by the role's thread for control messages, never by the pumps. */
    static void sendControl(DatagramChannel channel, ByteBuffer scratch, Peer peer, PacketMac mac, Control message) throws IOException {
        sendControl(channel, scratch, peer, mac, message, peer.endpoint);
    }

    /** As above, to {@code to} rather than the peer's endpoint (an answer on the path a message came by). */
    static void sendControl(DatagramChannel channel, ByteBuffer scratch, Peer peer, PacketMac mac, Control message, InetSocketAddress to)
            throws IOException {
        sealControl(scratch, peer, mac, message);
        channel.send(scratch, to);
    }

    /** Seals a control message to {@code peer} in {@code scratch}, flipped over the frame. */
    static void sealControl(ByteBuffer scratch, Peer peer, PacketMac mac, Control message) {
        scratch.clear();
        int n = Control.write(message, scratch, GreFrame.HEADER_BYTES);
        GreFrame.seal(scratch, GreFrame.PROTO_CONTROL, peer.tunnelId, peer.sequence.getAndIncrement(), n, mac);
    }
}
