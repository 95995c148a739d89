package dev.d2r2.sip.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The server's NOTIFYs over UDP as RFC 3261 §17.1.2 non-INVITE client transactions: each is sent
 * again after T1, then at doubling intervals capped at T2 (Timer E), until a final response
 * arrives or 64·T1 have passed (Timer F) — then the subscription is given up, as RFC 6665 §4.2.2
 * says (counted {@code notify.retransmitted}, {@code notify.timeout}). Only a response whose Via
 * branch names a NOTIFY in progress is the subscriber's answer: a replayed one finishes nothing.
 */
final class NotifyTransactions implements AutoCloseable {
    static final Duration T1 = Duration.ofMillis(500);
    static final Duration T2 = Duration.ofSeconds(4);

    private record Pending(String subscription, byte[] bytes, InetSocketAddress to, long deadlineNanos) {
    }

    private final DatagramChannel channel;
    private final long t1;
    private final long t2;
    private final Counters counters;
    private final Consumer<String> timedOut;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    /** {@code timedOut} gets the key of a subscription whose NOTIFY was never answered; {@code name} names the timer's thread. */
    NotifyTransactions(DatagramChannel channel, Duration t1, Duration t2, Counters counters, Consumer<String> timedOut, String name) {
        this.channel = channel;
        this.t1 = t1.toNanos();
        this.t2 = t2.toNanos();
        this.counters = counters;
        this.timedOut = timedOut;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(name).factory());
    }

    /** Sends NOTIFY {@code bytes} (its Via branch {@code branch}) of subscription {@code subscription} to {@code to}. */
    void send(String branch, String subscription, byte[] bytes, InetSocketAddress to) throws IOException {
        pending.put(branch, new Pending(subscription, bytes, to, System.nanoTime() + 64 * t1));
        channel.send(ByteBuffer.wrap(bytes), to);
        schedule(branch, t1);
    }

    private void schedule(String branch, long after) {
        timer.schedule(() -> fire(branch, after), after, TimeUnit.NANOSECONDS);
    }

    private void fire(String branch, long interval) {
        Pending p = pending.get(branch);
        if (p == null) {
            return;
        }
        long left = p.deadlineNanos() - System.nanoTime();
        if (left <= 0) {
            if (pending.remove(branch) != null) {
                counters.count("notify.timeout");
                timedOut.accept(p.subscription());
            }
            return;
        }
        try {
            channel.send(ByteBuffer.wrap(p.bytes()), p.to());
            counters.count("notify.retransmitted");
        } catch (IOException e) {
            counters.count("errors");
        }
        schedule(branch, Math.min(Math.min(2 * interval, t2), left));
    }

    /** A response to a NOTIFY with Via branch {@code branch}: whether it answers one in progress (a final one finishes it). */
    boolean answered(String branch, int status) {
        return status < 200 ? pending.containsKey(branch) : pending.remove(branch) != null;
    }

    /** NOTIFYs sent and not finally answered yet. */
    int inProgress() {
        return pending.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
