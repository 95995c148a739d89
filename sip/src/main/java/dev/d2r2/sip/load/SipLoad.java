package dev.d2r2.sip.load;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * SIP traffic for demos and tests, over UDP: legitimate callers (users registered first, then
 * calls at a rate: INVITE, ACK on 200, BYE after the call length) from 127.0.0.1, and attackers
 * flooding INVITEs or REGISTERs from many distinct 127.x.y.z addresses. Reports per class how
 * many succeeded, and the legitimate calls' setup times (INVITE → 200). The callers' rate may
 * change while it runs ({@link CallRate}: keys, a ramp).
 */
public final class SipLoad {
    /** What to send. {@code floodRate} 0: no attack. */
    public record Plan(InetSocketAddress target, double rate, Duration callLength, int users, double floodRate, int floodSources,
                       String floodMethod, Duration duration) {
    }

    /**
     * The outcome: legitimate calls (set up, and of those, dropped: their BYE failed) and
     * registrations, attack requests, setup times.
     */
    public record Report(long calls, long callsOk, long established, long dropped, long registrations, long registrationsOk,
                         long attacks, long attacksAnswered, long attacks2xx, Histogram setupMicros) {
        public double successRatio() {
            return calls == 0 ? 1 : (double) callsOk / calls;
        }

        @Override
        public String toString() {
            return String.format("legitimate: %d calls, %d ok (%.2f %%), %d established of which %d dropped, setup p50 %.2f ms"
                            + " p99 %.2f ms; registrations %d/%d ok; attack: %d requests, %d answered (%d with 2xx)", calls, callsOk,
                    100 * successRatio(), established, dropped,
                    setupMicros.getValueAtPercentile(50) / 1000.0, setupMicros.getValueAtPercentile(99) / 1000.0,
                    registrationsOk, registrations, attacks, attacksAnswered, attacks2xx);
        }
    }

    /** How a legitimate call ended: set up and ended by a successful BYE, refused or unanswered, or dropped once set up. */
    public enum Outcome { OK, FAILED, DROPPED }

    /** Hears each legitimate call's outcome: when it started (epoch ms), and its setup time (µs, -1 if not set up). */
    @FunctionalInterface
    public interface Listener {
        void call(long startedMillis, Outcome outcome, long setupMicros);
    }

    private static final long TIMEOUT_NS = 4_000_000_000L;
    private static final byte[] STATUS_LINE_START = "SIP/2.0 ".getBytes(StandardCharsets.US_ASCII);

    /** A legitimate call or registration in flight. */
    private static final class Call {
        final String callId;
        final String user;
        final boolean register;
        long sentAt;
        long startedMillis;
        long setupMicros = -1;
        long interval = 500_000_000L;
        String toTag;
        boolean byeSent;
        boolean done;
        int generation;

        Call(String callId, String user, boolean register) {
            this.callId = callId;
            this.user = user;
            this.register = register;
        }
    }

    /** A retransmission (or timeout) of the call's last request, or its BYE; stale when the call moved on. */
    private record Timer(long at, Call call, int generation, boolean bye) {
    }

    private final Plan plan;
    private final Listener listener;
    private final CallRate rate;
    private final Consumer<String> rateChanges;
    private final Map<String, Call> inFlight = new HashMap<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    private final Histogram setup = new Histogram(3);
    private long calls;
    private long callsOk;
    private long established;
    private long dropped;
    private long registrations;
    private long registrationsOk;
    private long attacks;
    private long attacksAnswered;
    private long attacks2xx;
    private long seq;

    public SipLoad(Plan plan) {
        this(plan, (started, outcome, setupMicros) -> { });
    }

    public SipLoad(Plan plan, Listener listener) {
        this(plan, listener, CallRate.fixed(plan.rate()), change -> { });
    }

    /**
     * Calls at a rate that changes at run time: {@code rate} replaces the plan's, and each change
     * its ramp makes is told to {@code rateChanges} (on the load's thread).
     */
    public SipLoad(Plan plan, Listener listener, CallRate rate, Consumer<String> rateChanges) {
        this.plan = plan;
        this.listener = listener;
        this.rate = rate;
        this.rateChanges = rateChanges;
    }

    /** Runs the plan to its end (plus the time for the last calls to finish) and reports. */
    public Report run() throws IOException {
        try (Selector selector = Selector.open()) {
            DatagramChannel caller = open(selector, InetAddress.getLoopbackAddress());
            List<DatagramChannel> attackers = new ArrayList<>();
            for (int i = 0; i < (plan.floodRate() > 0 ? plan.floodSources() : 0); i++) {
                attackers.add(open(selector, floodSource(i)));
            }
            ByteBuffer buf = ByteBuffer.allocate(SipParser.MAX_MESSAGE + 1);
            long start = System.nanoTime();
            for (int u = 0; u < plan.users(); u++) {
                Call r = new Call("reg-" + u + "-" + start, "user" + u, true);
                registrations++;
                send(caller, r, "REGISTER", 1, start);
            }
            long end = start + plan.duration().toNanos();
            double callRate = rate.now();
            long callGap = callRate > 0 ? (long) (1e9 / callRate) : Long.MAX_VALUE;
            long nextCall = callRate > 0 ? start : Long.MAX_VALUE;
            long nextAttack = plan.floodRate() > 0 ? start : Long.MAX_VALUE;
            long attackGap = plan.floodRate() > 0 ? (long) (1e9 / plan.floodRate()) : Long.MAX_VALUE;
            int attacker = 0;
            while (true) {
                long now = System.nanoTime();
                String ramped = rate.advance(Duration.ofNanos(now - start));
                if (ramped != null) {
                    rateChanges.accept(ramped);
                }
                if (rate.quitting()) {
                    end = Math.min(end, now);
                }
                double r = rate.now();
                if (r != callRate) {
                    // a new rate takes effect at once: the first call of a start or a resume goes now
                    callGap = r > 0 ? (long) (1e9 / r) : Long.MAX_VALUE;
                    nextCall = r <= 0 ? Long.MAX_VALUE : callRate == 0 ? now : Math.min(nextCall, now + callGap);
                    callRate = r;
                }
                if (now >= end && inFlight.isEmpty() || now >= end + 2 * TIMEOUT_NS + plan.callLength().toNanos()) {
                    break;
                }
                while (now < end && nextCall <= now) {
                    Call c = new Call("call-" + (seq++) + "-" + start, "user" + (plan.users() == 0 ? 0 : seq % plan.users()), false);
                    calls++;
                    c.startedMillis = System.currentTimeMillis();
                    send(caller, c, "INVITE", 1, now);
                    nextCall += callGap;
                }
                while (now < end && nextAttack <= now) {
                    DatagramChannel a = attackers.get(attacker++ % attackers.size());
                    Call fake = new Call("flood-" + (seq++) + "-" + start, "bot", false);
                    attacks++;
                    a.send(ByteBuffer.wrap(request(plan.floodMethod(), fake, a, 1, false).getBytes(StandardCharsets.US_ASCII)),
                            plan.target());
                    nextAttack += attackGap;
                }
                timers(caller, now);
                long wait = Math.max(1, Math.min(Math.min(nextCall, nextAttack) - now, 5_000_000) / 1_000_000);
                selector.select(wait);
                for (SelectionKey k : selector.selectedKeys()) {
                    DatagramChannel ch = (DatagramChannel) k.channel();
                    while (true) {
                        buf.clear();
                        if (ch.receive(buf) == null) {
                            break;
                        }
                        if (ch != caller) {
                            int status = status(buf.array(), buf.position());
                            if (status >= 200) {
                                attacksAnswered++;
                                attacks2xx += status < 300 ? 1 : 0;
                            }
                            continue;
                        }
                        SipMessage m = SipParser.datagram(buf.array(), 0, buf.position());
                        if (m.isRequest() || m.malformation() != null || m.first(Header.CALL_ID) == null) {
                            continue;
                        }
                        response(caller, m, System.nanoTime());
                    }
                }
                selector.selectedKeys().clear();
            }
            inFlight.clear();
            return new Report(calls, callsOk, established, dropped, registrations, registrationsOk, attacks, attacksAnswered,
                    attacks2xx, setup);
        }
    }

    /**
     * The status code of a response datagram, read from its status line alone; -1 for anything
     * else. The flood's sources only count their answers: parsing thousands a second whole would
     * take the cores the edge under attack needs, when both run on one host.
     */
    static int status(byte[] datagram, int length) {
        if (length < STATUS_LINE_START.length + 4 || !Arrays.equals(datagram, 0, STATUS_LINE_START.length, STATUS_LINE_START, 0,
                STATUS_LINE_START.length)) {
            return -1;
        }
        int code = 0;
        for (int i = STATUS_LINE_START.length; i < STATUS_LINE_START.length + 3; i++) {
            int d = datagram[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            code = code * 10 + d;
        }
        return datagram[STATUS_LINE_START.length + 3] == ' ' && code >= 100 ? code : -1;
    }

    /** The address of attacking source {@code i}: 127.1.1.1, 127.1.1.2, ... */
    public static InetAddress floodSource(int i) throws IOException {
        return InetAddress.getByAddress(new byte[]{127, (byte) (1 + i / 65_025), (byte) (1 + (i / 255) % 255), (byte) (1 + i % 255)});
    }

    private static DatagramChannel open(Selector selector, InetAddress at) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.bind(new InetSocketAddress(at, 0));
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ);
        return ch;
    }

    private void response(DatagramChannel caller, SipMessage m, long now) throws IOException {
        Call c = inFlight.get(m.first(Header.CALL_ID));
        if (c == null || m.status() < 200) {
            return;
        }
        String cseq = m.first(Header.CSEQ);
        if (c.register) {
            finish(c);
            registrationsOk += m.status() < 300 ? 1 : 0;
        } else if (cseq.endsWith("INVITE") && !c.byeSent) {
            c.toTag = Hop.param(m.first(Header.TO), "tag");
            boolean ok = m.status() < 300;
            caller.send(ByteBuffer.wrap(request("ACK", c, caller, 1, ok).getBytes(StandardCharsets.US_ASCII)), plan.target());
            if (!ok) {
                end(c, Outcome.FAILED);
                return;
            }
            established++;
            c.setupMicros = Math.max(0, (now - c.sentAt) / 1000);
            setup.recordValue(c.setupMicros);
            c.byeSent = true;
            c.generation++;
            timers.add(new Timer(now + plan.callLength().toNanos(), c, c.generation, true));
        } else if (cseq.endsWith("BYE")) {
            end(c, m.status() < 300 ? Outcome.OK : Outcome.DROPPED);
        }
    }

    private void end(Call c, Outcome outcome) {
        finish(c);
        switch (outcome) {
            case OK -> callsOk++;
            case DROPPED -> dropped++;
            case FAILED -> { }
        }
        listener.call(c.startedMillis, outcome, c.setupMicros);
    }

    private void finish(Call c) {
        c.done = true;
        inFlight.remove(c.callId);
    }

    /** Retransmissions (timer A doubling from 500 ms), timeouts, and the BYEs whose call length has passed. */
    private void timers(DatagramChannel caller, long now) throws IOException {
        while (!timers.isEmpty() && timers.peek().at() <= now) {
            Timer t = timers.poll();
            Call c = t.call();
            if (c.done || t.generation() != c.generation) {
                continue;
            }
            if (t.bye()) {
                send(caller, c, "BYE", 2, now);
            } else if (now - c.sentAt >= TIMEOUT_NS) {
                if (c.register) {
                    finish(c);
                } else {
                    end(c, c.byeSent ? Outcome.DROPPED : Outcome.FAILED);
                }
            } else {
                String method = c.register ? "REGISTER" : c.byeSent ? "BYE" : "INVITE";
                caller.send(ByteBuffer.wrap(request(method, c, caller, c.byeSent ? 2 : 1, false)
                        .getBytes(StandardCharsets.US_ASCII)), plan.target());
                c.interval = Math.min(c.interval * 2, 4_000_000_000L);
                timers.add(new Timer(now + c.interval, c, c.generation, false));
            }
        }
    }

    /** Sends a new request of the call and arms its retransmissions. */
    private void send(DatagramChannel ch, Call c, String method, int cseq, long now) throws IOException {
        inFlight.put(c.callId, c);
        c.generation++;
        c.sentAt = now;
        c.interval = 500_000_000L;
        timers.add(new Timer(now + c.interval, c, c.generation, false));
        ch.send(ByteBuffer.wrap(request(method, c, ch, cseq, false).getBytes(StandardCharsets.US_ASCII)), plan.target());
    }

    /** A request of the call; {@code ackOf2xx}: the ACK of a 2xx, a transaction of its own (else an ACK shares the INVITE's branch). */
    private String request(String method, Call c, DatagramChannel from, int cseq, boolean ackOf2xx) throws IOException {
        String uri = c.register ? "sip:" + plan.target().getHostString() : "sip:service@" + plan.target().getHostString();
        InetSocketAddress local = (InetSocketAddress) from.getLocalAddress();
        String host = local.getAddress().getHostAddress() + ":" + local.getPort();
        String branch = "z9hG4bK" + c.callId + "-" + (method.equals("ACK") && !ackOf2xx ? "INVITE" : method);
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ";branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + c.user + "@example.com>;tag=" + c.callId.hashCode() + "\r\n"
                + "To: <" + (c.register ? "sip:" + c.user + "@example.com" : uri) + ">" + (c.toTag == null ? "" : ";tag=" + c.toTag) + "\r\n"
                + "Call-ID: " + c.callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <sip:" + c.user + "@" + host + ">\r\n"
                + "Content-Length: 0\r\n\r\n";
    }
}
