package dev.d2r2.monitor.probe;

import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.ProbeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * SIP OPTIONS over UDP for every {@code sip-options} probe of the process, on one non-blocking
 * socket and one thread: requests are sent when their turn comes, retransmitted as RFC 3261's
 * timer E does (500 ms, doubling), and answers are matched to their request by Call-ID. No
 * thread waits per request, so thousands of targets cost little.
 */
final class SipUdpPinger {
    private static final Logger LOG = LoggerFactory.getLogger(SipUdpPinger.class);
    static final SipUdpPinger INSTANCE = new SipUdpPinger();
    private static final int T1_MS = 500;
    /** How long the loop sleeps at most: new requests are picked up at this pace (no wake-up call per request). */
    private static final long POLL_MS = 2;

    private final DatagramChannel channel;
    private final Selector selector;
    private final ConcurrentLinkedQueue<Pending> submitted = new ConcurrentLinkedQueue<>();
    private final Map<String, Pending> byCallId = new ConcurrentHashMap<>();
    private final PriorityQueue<Pending> timers = new PriorityQueue<>((a, b) -> Long.compare(a.nextAction, b.nextAction));
    private final ByteBuffer in = ByteBuffer.allocate(8192);

    private final class Pending {
        final String callId;
        final InetSocketAddress target;
        final ByteBuffer request;
        final CompletableFuture<Measurement> result = new CompletableFuture<>();
        final long deadline;
        long start;
        long nextAction;
        long interval = T1_MS;

        Pending(String callId, InetSocketAddress target, ByteBuffer request, long deadline) {
            this.callId = callId;
            this.target = target;
            this.request = request;
            this.deadline = deadline;
        }
    }

    private SipUdpPinger() {
        try {
            channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress(0));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the SIP probes' UDP socket", e);
        }
        Thread.ofPlatform().daemon().name("d2r2-sip-options").start(this::loop);
    }

    int localPort() {
        return channel.socket().getLocalPort();
    }

    CompletableFuture<Measurement> ping(InetSocketAddress target, String callId, byte[] request, Duration timeout) {
        Pending p = new Pending(callId, target, ByteBuffer.wrap(request), System.nanoTime() + timeout.toNanos());
        submitted.add(p);
        return p.result;
    }

    private void loop() {
        while (true) {
            try {
                long now = System.nanoTime();
                Pending p;
                while ((p = submitted.poll()) != null) {
                    p.start = now;
                    p.nextAction = now;
                    byCallId.put(p.callId, p);
                    timers.add(p);
                }
                while ((p = timers.peek()) != null && p.nextAction <= now) {
                    timers.poll();
                    if (p.result.isDone()) {
                        continue;
                    }
                    if (now >= p.deadline) {
                        byCallId.remove(p.callId);
                        p.result.completeExceptionally(new ProbeException("no final response to OPTIONS from "
                                + p.target.getHostString() + ":" + p.target.getPort() + " (UDP) within "
                                + (p.deadline - p.start) / 1_000_000 + " ms"));
                        continue;
                    }
                    send(p);
                    p.nextAction = Math.min(p.deadline, now + p.interval * 1_000_000);
                    p.interval = Math.min(p.interval * 2, 4000);
                    timers.add(p);
                }
                long wait = POLL_MS;
                if ((p = timers.peek()) != null) {
                    wait = Math.max(1, Math.min(wait, (p.nextAction - System.nanoTime()) / 1_000_000));
                }
                selector.select(wait);
                selector.selectedKeys().clear();
                receiveAll();
            } catch (IOException | RuntimeException e) {
                // One bad datagram or send must not stop every SIP probe of the process.
                LOG.warn("sip-options loop: {}", e.toString());
            }
        }
    }

    private void send(Pending p) {
        try {
            channel.send(p.request.duplicate(), p.target);
        } catch (IOException e) {
            byCallId.remove(p.callId);
            p.result.completeExceptionally(new ProbeException("OPTIONS to " + p.target + ": " + e.getMessage(), e));
        }
    }

    private void receiveAll() throws IOException {
        while (true) {
            in.clear();
            if (channel.receive(in) == null) {
                return;
            }
            String message = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
            String callId = SipOptionsProbe.callId(message);
            Pending p = callId == null ? null : byCallId.get(callId);
            if (p == null) {
                continue;
            }
            int code;
            try {
                code = SipOptionsProbe.finalCode(message, callId);
            } catch (ProbeException e) {
                byCallId.remove(callId);
                p.result.completeExceptionally(e);
                continue;
            }
            if (code > 0) {
                byCallId.remove(callId);
                p.result.complete(Measurement.of(Map.of("code", (double) code, "rtt_ms", (System.nanoTime() - p.start) / 1e6)));
            }
        }
    }
}
