package dev.d2r2.bft.net;

import dev.d2r2.bft.Codec;
import dev.d2r2.bft.CodecLimits;
import dev.d2r2.bft.MalformedMessageException;
import dev.d2r2.bft.Msg;
import dev.d2r2.bft.Signatures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The TCP links of one replica: a listener for the frames its peers send it, and one
 * {@link PeerSender} per peer for the frames it sends. Each received frame's signature is checked
 * on the connection's reader thread, against the key of the replica the frame names, before the
 * message is decoded and handed on; a frame that fails is dropped and counted, and a connection
 * that breaks the framing is closed. Loss is the protocol's business (HotStuff tolerates it):
 * frames to an unreachable peer are dropped.
 */
final class PeerLinks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLinks.class);
    /** No frame is longer, whatever the codec allows: a peer cannot make this replica allocate more. */
    static final int MAX_FRAME_BYTES = 64 << 20;

    /** Receives the authenticated messages; may block (back-pressure on the connection). */
    @FunctionalInterface
    interface Inbound {
        void accept(int from, Msg msg) throws InterruptedException;
    }

    private final int self;
    private final List<InetSocketAddress> addresses;
    private final Supplier<Signatures> verifiers;
    private final Inbound inbound;
    private final int maxFrameBytes;
    private final CodecLimits limits;
    private final PeerSender[] senders;
    private final ServerSocket listener;
    private final ConcurrentHashMap.KeySetView<Socket, Boolean> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicLong badFrames = new AtomicLong();
    private volatile boolean closed;

    PeerLinks(int self, List<InetSocketAddress> addresses, Supplier<Signatures> verifiers, CodecLimits limits,
              Inbound inbound) throws IOException {
        this.self = self;
        this.addresses = List.copyOf(addresses);
        this.verifiers = verifiers;
        this.inbound = inbound;
        this.limits = limits;
        this.maxFrameBytes = (int) Math.min(MAX_FRAME_BYTES, 2L + LinkAuth.SIGNATURE_BYTES + 64 * 1024
                + (long) limits.maxCommands() * (4 + limits.maxCommandBytes()));
        this.senders = new PeerSender[addresses.size()];
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(addresses.get(self));
        for (int i = 0; i < senders.length; i++) {
            if (i != self) {
                senders[i] = new PeerSender(self, i, addresses.get(i));
            }
        }
        Thread.ofPlatform().daemon().name("bft-" + self + "-accept").start(this::accept);
    }

    /** Queues a signed frame for replica {@code to}. */
    void send(int to, byte[] frame) {
        senders[to].offer(frame);
    }

    /** Frames dropped because their signature, sender or encoding was wrong. */
    long badFrames() {
        return badFrames.get();
    }

    /** Frames dropped on the way out: peer unreachable or its queue full. */
    long droppedFrames() {
        long n = 0;
        for (PeerSender s : senders) {
            n += s == null ? 0 : s.dropped();
        }
        return n;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                s.setTcpNoDelay(true);
                accepted.add(s);
                Thread.ofPlatform().daemon().name("bft-" + self + "-read").start(() -> read(s));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("replica {}: accept failed: {}", self, e.toString());
                }
            }
        }
    }

    private void read(Socket s) {
        LinkAuth auth = new LinkAuth(verifiers.get());
        Codec codec = new Codec(limits);
        try (s; DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 256 * 1024))) {
            while (!closed) {
                int length = in.readInt();
                if (length < 2 + LinkAuth.SIGNATURE_BYTES || length > maxFrameBytes) {
                    badFrames.incrementAndGet();
                    LOG.warn("replica {}: frame of {} bytes from {}: closing the connection", self, length,
                            s.getRemoteSocketAddress());
                    return;
                }
                byte[] body = new byte[length];
                in.readFully(body);
                int from = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
                if (from == self || from >= addresses.size() || !auth.verify(body)) {
                    badFrames.incrementAndGet();
                    continue;
                }
                Msg msg;
                try {
                    msg = codec.decode(Arrays.copyOfRange(body, 2, length - LinkAuth.SIGNATURE_BYTES));
                } catch (MalformedMessageException e) {
                    badFrames.incrementAndGet();
                    LOG.debug("replica {}: malformed message from {}: {}", self, from, e.getMessage());
                    continue;
                }
                inbound.accept(from, msg);
            }
        } catch (EOFException e) {
            LOG.debug("replica {}: peer closed {}", self, s.getRemoteSocketAddress());
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("replica {}: link from {} broke: {}", self, s.getRemoteSocketAddress(), e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            accepted.remove(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("close listener: {}", e.toString());
        }
        for (Socket s : new ArrayList<>(accepted)) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("close link: {}", e.toString());
            }
        }
        for (PeerSender s : senders) {
            if (s != null) {
                s.close();
            }
        }
    }
}
