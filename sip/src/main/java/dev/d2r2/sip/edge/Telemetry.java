package dev.d2r2.sip.edge;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.events.EdgeSource;
import dev.d2r2.sip.events.EdgeTraffic;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the edge sees, as events every window (100 ms): {@code sip.edge.traffic} — requests in by
 * method, responses out by class, drops, active dialogs (per second); and one
 * {@code sip.edge.source} event per heaviest source (its requests and INVITEs per second), from
 * a Space-Saving sketch of {@value #TRACKED} counters, so memory stays bounded under a flood from
 * a million sources; and the sources turning suspect or back to normal ({@link Suspects}). A
 * flood shows as a high ingress with a low egress and many sources.
 */
final class Telemetry implements Agent {
    static final int TRACKED = 256;
    static final int TOP = 10;
    private static final String[] METHODS = {"INVITE", "REGISTER", "ACK", "BYE", "CANCEL", "OPTIONS", "other"};
    private static final byte[][] METHOD_BYTES = Arrays.stream(METHODS, 0, METHODS.length - 1)
            .map(m -> m.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    private final Clock clock;
    private final long windowMs;
    private final Consumer<Event> sink;
    private final Supplier<List<Backend>> backends;
    private final Suspects suspects;
    private final IntSupplier dialogs;
    private volatile EdgeTraffic last;
    private final AtomicLongArray requests = new AtomicLongArray(METHODS.length);
    private final AtomicLongArray responses = new AtomicLongArray(7);
    private final AtomicLongArray drops = new AtomicLongArray(1);
    private HeavyHitters<InetAddress> sources = new HeavyHitters<>(TRACKED);
    private HeavyHitters<InetAddress> invites = new HeavyHitters<>(TRACKED);
    private long windowStart;

    Telemetry(Clock clock, long windowMs, Consumer<Event> sink, Supplier<List<Backend>> backends, Suspects suspects,
              IntSupplier dialogs) {
        this.dialogs = dialogs;
        this.clock = clock;
        this.windowMs = windowMs;
        this.sink = sink;
        this.backends = backends;
        this.suspects = suspects;
        this.windowStart = clock.millis();
    }

    /** A request from outside, {@code method} as {@link #method} gives it (on a receiving thread). */
    void request(int method, InetAddress from) {
        int i = method;
        requests.incrementAndGet(i);
        synchronized (this) {
            sources.add(from);
            if (i == 0) {
                invites.add(from);
            }
        }
    }

    /** A response sent out: forwarded or answered by the edge. */
    void response(int status) {
        int cls = status / 100;
        if (cls >= 1 && cls <= 6) {
            responses.incrementAndGet(cls);
        }
    }

    void dropped() {
        drops.incrementAndGet(0);
    }

    /** A request from a blocked source, shed unparsed: its method read from the datagram's first bytes. */
    void shed(byte[] datagram, int length, InetAddress from) {
        request(method(datagram, length), from);
        dropped();
    }

    static int method(SipMessage m) {
        for (int i = 0; i < METHODS.length - 1; i++) {
            if (m.methodIs(METHODS[i])) {
                return i;
            }
        }
        return METHODS.length - 1;
    }

    /** The method of a raw request: the known method its first bytes name, followed by a space. */
    static int method(byte[] datagram, int length) {
        for (int i = 0; i < METHOD_BYTES.length; i++) {
            byte[] name = METHOD_BYTES[i];
            if (length > name.length && datagram[name.length] == ' ' && Arrays.equals(datagram, 0, name.length, name, 0, name.length)) {
                return i;
            }
        }
        return METHODS.length - 1;
    }

    @Override
    public String roleName() {
        return "edge-telemetry";
    }

    @Override
    public void onMessage(Object message) {
    }

    @Override
    public long nextDueMillis() {
        return windowStart + windowMs;
    }

    @Override
    public void onTimer(long nowMillis) {
        flush(dialogs.getAsInt());
    }

    /** Closes the window: publishes its events and starts the next. */
    void flush(int activeDialogs) {
        long now = clock.millis();
        double seconds = Math.max(1, now - windowStart) / 1000.0;
        HeavyHitters<InetAddress> s;
        HeavyHitters<InetAddress> inv;
        synchronized (this) {
            s = sources;
            inv = invites;
            sources = new HeavyHitters<>(TRACKED);
            invites = new HeavyHitters<>(TRACKED);
        }
        Map<String, Double> in = new LinkedHashMap<>();
        long inTotal = 0;
        for (int i = 0; i < METHODS.length; i++) {
            long n = requests.getAndSet(i, 0);
            inTotal += n;
            in.put(METHODS[i], rate(n, seconds));
        }
        Map<Integer, Double> out = new LinkedHashMap<>();
        long outTotal = 0;
        for (int c = 1; c <= 6; c++) {
            long n = responses.getAndSet(c, 0);
            outTotal += n;
            out.put(c, rate(n, seconds));
        }
        Map<String, Long> byBackend = new LinkedHashMap<>();
        for (Backend b : backends.get()) {
            byBackend.put(b.id(), (long) b.activeDialogs());
        }
        Map<InetAddress, Long> inviteCounts = new LinkedHashMap<>();
        inv.top(TRACKED).forEach(h -> inviteCounts.put(h.key(), h.count()));
        suspects.window(inviteCounts, seconds, now, sink);
        EdgeTraffic traffic = new EdgeTraffic(now, "edge", in, rate(inTotal, seconds), out, rate(outTotal, seconds),
                rate(drops.getAndSet(0, 0), seconds), activeDialogs, byBackend, s.tracked(), suspects.size());
        last = traffic;
        sink.accept(traffic.toEvent());
        for (HeavyHitters.Hitter<InetAddress> h : s.top(TOP)) {
            sink.accept(new EdgeSource(now, h.key().getHostAddress(), rate(h.count(), seconds),
                    rate(inviteCounts.getOrDefault(h.key(), 0L), seconds), rate(h.error(), seconds)).toEvent());
        }
        windowStart = now;
    }

    /** The last window's {@code sip.edge.traffic}, null before the first. */
    EdgeTraffic last() {
        return last;
    }

    private static double rate(long n, double seconds) {
        return Math.round(n / seconds * 10) / 10.0;
    }
}
