package dev.d2r2.bft.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frames to one peer, written by a thread of their own so that a slow or dead peer never
 * holds the replica up. It connects on demand; while the peer is unreachable (and for a short
 * back-off after each failed attempt) frames are dropped and counted, as on a lossy network.
 */
final class PeerSender {
    private static final Logger LOG = LoggerFactory.getLogger(PeerSender.class);
    private static final int QUEUE_FRAMES = 1024;
    private static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final int self;
    private final int peer;
    private final InetSocketAddress address;
    private final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_FRAMES);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;
    private Socket socket;
    private OutputStream out;
    private long retryAt;

    PeerSender(int self, int peer, InetSocketAddress address) {
        this.self = self;
        this.peer = peer;
        this.address = address;
        this.thread = Thread.ofPlatform().daemon().name("bft-" + self + "-to-" + peer).start(this::run);
    }

    void offer(byte[] frame) {
        if (!queue.offer(frame)) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    private void run() {
        while (!closed) {
            byte[] frame;
            try {
                frame = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (!connected()) {
                dropped.incrementAndGet();
                continue;
            }
            try {
                out.write(frame);
                if (queue.isEmpty()) {
                    out.flush();
                }
            } catch (IOException e) {
                LOG.debug("replica {}: link to {} broke: {}", self, peer, e.toString());
                dropped.incrementAndGet();
                disconnect();
            }
        }
        disconnect();
    }

    private boolean connected() {
        if (socket != null) {
            return true;
        }
        if (System.nanoTime() - retryAt < 0) {
            return false;
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, 1000);
            socket = s;
            out = new BufferedOutputStream(s.getOutputStream(), 256 * 1024);
            return true;
        } catch (IOException e) {
            closeQuietly(s);
            retryAt = System.nanoTime() + BACKOFF_NANOS;
            return false;
        }
    }

    private void disconnect() {
        if (socket != null) {
            closeQuietly(socket);
            socket = null;
            out = null;
        }
        retryAt = System.nanoTime() + BACKOFF_NANOS;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.trace("close: {}", e.toString());
        }
    }

    void close() {
        closed = true;
        thread.interrupt();
    }
}
