package dev.d2r2.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The benchmark's requests: {@code rate} UDP datagrams a second to each peer's echo port, each
 * answered or not; per window (by the time a request was sent) the requests and the answers of
 * each peer, the success-rate detector's input. Bounded: it stops at {@link #close()} or at its
 * deadline, whichever comes first.
 */
final class EchoLoad implements AutoCloseable {
    private static final long TICK_MS = 5;
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final List<String> peers;
    private final double rate;
    private final long windowMs;
    private final long deadline;
    /** window start → per peer: [requests, answers] interleaved. */
    private final Map<Long, AtomicLongArray> windows = new ConcurrentHashMap<>();
    private final Selector selector;
    private final Thread sender;
    private final Thread receiver;
    private volatile boolean running = true;

    EchoLoad(List<String> peers, List<InetSocketAddress> targets, double rate, long windowMs, long maxMillis) throws IOException {
        this.peers = List.copyOf(peers);
        this.rate = rate;
        this.windowMs = windowMs;
        this.deadline = System.currentTimeMillis() + maxMillis;
        this.selector = Selector.open();
        for (int i = 0; i < targets.size(); i++) {
            DatagramChannel c = DatagramChannel.open();
            c.connect(targets.get(i));
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ, i);
            channels.add(c);
        }
        sender = Thread.ofPlatform().name("d2r2-dg-echo-send").daemon().start(this::send);
        receiver = Thread.ofPlatform().name("d2r2-dg-echo-recv").daemon().start(this::receive);
    }

    private AtomicLongArray window(long start) {
        return windows.computeIfAbsent(start, s -> new AtomicLongArray(2 * peers.size()));
    }

    private void send() {
        ByteBuffer out = ByteBuffer.allocate(16);
        long started = System.nanoTime();
        long sent = 0;
        while (running && System.currentTimeMillis() < deadline) {
            long due = (long) ((System.nanoTime() - started) / 1e9 * rate);
            for (; sent < due; sent++) {
                long now = System.currentTimeMillis();
                long start = now - now % windowMs;
                AtomicLongArray w = window(start);
                for (int i = 0; i < channels.size(); i++) {
                    out.clear().putLong(start).putLong(sent).flip();
                    try {
                        channels.get(i).write(out);
                    } catch (IOException unreachable) {
                        // a request that could not leave is a request that failed
                    }
                    w.incrementAndGet(2 * i);
                }
            }
            LockSupport.parkNanos(TICK_MS * 1_000_000);
        }
    }

    private void receive() {
        ByteBuffer in = ByteBuffer.allocate(64);
        while (running) {
            try {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    int peer = (Integer) k.attachment();
                    DatagramChannel c = (DatagramChannel) k.channel();
                    while (true) {
                        in.clear();
                        if (c.read(in) < 16) {
                            break;
                        }
                        window(in.getLong(0)).incrementAndGet(2 * peer + 1);
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException e) {
                // an ICMP error read back: the peer's namespace refused; the request counts as failed
            }
        }
    }

    /** The windows that started before {@code before}: per window start, per peer, its volume. */
    Map<Long, Map<String, SuccessRateOutliers.Volume>> volumes(long before) {
        Map<Long, Map<String, SuccessRateOutliers.Volume>> out = new java.util.TreeMap<>();
        windows.forEach((start, w) -> {
            if (start < before) {
                Map<String, SuccessRateOutliers.Volume> m = new LinkedHashMap<>();
                for (int i = 0; i < peers.size(); i++) {
                    m.put(peers.get(i), new SuccessRateOutliers.Volume(w.get(2 * i), w.get(2 * i + 1)));
                }
                out.put(start, m);
            }
        });
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        running = false;
        sender.join();
        selector.wakeup();
        receiver.join();
        selector.close();
        for (DatagramChannel c : channels) {
            c.close();
        }
    }
}
