package dev.d2r2.sip.edge;

import dev.d2r2.core.Rendezvous;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipChecks;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.codec.Span;
import dev.d2r2.sip.codec.SipWriter;
import dev.d2r2.sip.codec.Verdict;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.function.LongPredicate;

/**
 * Where a message goes, decided without a socket: a stateless proxy (RFC 3261 §16.11) that
 * spreads dialogs over the backends ({@link BackendSet#choose}) and keeps every dialog on its
 * backend by carrying the backend in its Record-Route ({@code ;d2r2-b=host:port}). Requests
 * from a backend go to their next hop (a Route, else the Request-URI); in-dialog requests from
 * outside go to the backend their Route names (or to where it moved, {@link BackendSet#move}), or without one (SIPp's uac sends its ACK and BYE
 * straight to the edge) to the dialog's backend ({@link Dialogs}), else the affinity key's, as do
 * CANCEL and the ACK of a non-2xx answer. When a dialog's backend is down, its in-dialog requests
 * go to the affinity key's backend among those up ({@code failover.in_dialog}). Responses go back
 * by Via. Bad requests are answered statelessly, bad responses dropped, each counted by reason.
 *
 * <p>{@link #route} writes the bytes to send into {@code out} and where they go into a
 * {@link Route}; it is called from every receive loop at once and keeps no per-message state.
 */
final class Router {
    private static final String BACKEND_PARAM = ";d2r2-b=";
    private static final String CONNECTION_PARAM = ";d2r2-c=";
    private static final String EDGE_TAG = "d2r2-edge";
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BACKEND_PARAM_BYTES = ascii(BACKEND_PARAM);
    private static final byte[] BACKEND = ascii("d2r2-b");
    private static final byte[] CONNECTION = ascii("d2r2-c");
    private static final byte[] BRANCH = ascii("branch");
    private static final byte[] MAGIC_COOKIE = ascii("z9hG4bK");
    private static final byte[] PROBE_BRANCH = ascii(Prober.BRANCH);
    private static final byte[] OC = ascii("oc");
    private static final byte[] OC_VALIDITY = ascii("oc-validity");
    private static final byte[] TAG = ascii(";tag=");
    private static final byte[] CSEQ_INVITE = ascii(" INVITE");
    private static final byte[] CSEQ_BYE = ascii(" BYE");

    private final String advertised;
    private final String ourUri;
    private final byte[] ourUriBytes;
    private final byte[] advertisedBytes;
    private final byte[] udpViaPrefix;
    private final byte[] tcpViaPrefix;
    private final byte[] ocParam = ";oc".getBytes(StandardCharsets.US_ASCII);
    private final byte[] connectionParam = CONNECTION_PARAM.getBytes(StandardCharsets.US_ASCII);
    private final byte[] recordRoutePrefix;
    private final long secret = new SecureRandom().nextLong();
    private final BackendSet backends;
    private final Dialogs dialogs;
    private final Enforcement enforcement;
    private final EdgeCounters counters;
    private final LongPredicate connectionOpen;
    private volatile Affinity affinity = Affinity.CALL_ID;
    private volatile Telemetry telemetry;

    /**
     * @param advertised      the edge's {@code host:port}, as its Via and Record-Route name it
     * @param connectionOpen  whether a client's TCP connection (by id) is still open
     */
    Router(String advertised, BackendSet backends, Dialogs dialogs, Enforcement enforcement, EdgeCounters counters,
           LongPredicate connectionOpen) {
        this.advertised = advertised;
        this.ourUri = "sip:" + advertised;
        this.ourUriBytes = ascii(ourUri);
        this.advertisedBytes = ascii(advertised);
        this.udpViaPrefix = ("SIP/2.0/UDP " + advertised + ";branch=z9hG4bK").getBytes(StandardCharsets.US_ASCII);
        this.tcpViaPrefix = ("SIP/2.0/TCP " + advertised + ";branch=z9hG4bK").getBytes(StandardCharsets.US_ASCII);
        this.recordRoutePrefix = ("<" + ourUri + ";lr" + BACKEND_PARAM).getBytes(StandardCharsets.US_ASCII);
        this.backends = backends;
        this.dialogs = dialogs;
        this.enforcement = enforcement;
        this.counters = counters;
        this.connectionOpen = connectionOpen;
    }

    void affinity(Affinity a) {
        affinity = a;
    }

    void telemetry(Telemetry t) {
        telemetry = t;
    }

    String advertised() {
        return advertised;
    }

    /** A datagram from a blocked source, dropped unparsed: still seen by the telemetry, so the source stays suspect. */
    void shed(byte[] datagram, int length, InetSocketAddress from) {
        Telemetry t = telemetry;
        if (t != null) {
            t.shed(datagram, length, from.getAddress());
        }
    }

    /**
     * Routes message {@code m} that came from {@code from} (on TCP connection {@code connection},
     * else {@link Route#NO_CONNECTION}): true when {@code out} holds bytes to send where
     * {@code route} says, false when the message was dropped or consumed (counted).
     */
    boolean route(SipMessage m, InetSocketAddress from, long connection, ByteBuffer out, Route route) {
        Backend backend = connection == Route.NO_CONNECTION ? backends.at(from) : null;
        Verdict v = SipChecks.check(m);
        Telemetry t = telemetry;
        if (t != null && m.isRequest() && m.malformation() == null && backend == null) {
            t.request(Telemetry.method(m), from.getAddress());
        }
        return switch (v.kind()) {
            case DROP -> {
                counters.dropped(v);
                if (t != null) {
                    t.dropped();
                }
                yield false;
            }
            case RESPOND -> answer(m, out, v.status(), v.reason(), v.unsupported() == null ? null : "Unsupported: " + v.unsupported(),
                    from, connection, route);
            case FORWARD -> {
                if (m.isRequest()) {
                    yield request(m, from, connection, backend, out, route);
                }
                if (connection != Route.NO_CONNECTION) {
                    counters.count(EdgeCounter.DROPPED_RESPONSE_FROM_CLIENT);
                    yield false;
                }
                yield response(m, backend, out, route);
            }
        };
    }

    private boolean request(SipMessage m, InetSocketAddress from, long client, Backend source, ByteBuffer out, Route route) {
        byte[] b = m.bytes();
        if (source == null) {
            EdgeCounter refusal = enforcement.refusal(from, m);
            if (refusal != null) {
                counters.count(refusal);
                Telemetry t = telemetry;
                if (t != null) {
                    t.dropped();
                }
                return false;
            }
            if (m.methodIs("ACK")) {
                dialogs.confirm(callId(m, route));
            }
        }
        int routeLine = m.index(Header.ROUTE);
        long firstRoute = routeLine < 0 ? Span.NONE : Span.firstEntry(b, m.valueFrom(routeLine), m.valueTo(routeLine));
        boolean routeIsOurs = firstRoute != Span.NONE && ours(b, firstRoute);
        InetSocketAddress next;
        long nextConnection = Route.NO_CONNECTION;
        Backend to = null;
        route.recordRouteLength = -1;
        if (source != null) {
            long after = !routeIsOurs ? firstRoute : secondEntry(m, routeLine, Header.ROUTE);
            next = after != Span.NONE ? uriTarget(b, after, route) : uriTarget(b, m.requestUriSpan(), route);
            long connection = routeIsOurs ? Span.param(b, Span.from(firstRoute), Span.to(firstRoute), CONNECTION) : Span.NONE;
            if (connection != Span.NONE) {
                long id = Span.number(b, Span.from(connection), Span.to(connection), 18);
                if (id >= 0) {
                    nextConnection = id;
                    if (!connectionOpen.test(nextConnection)) {
                        counters.count(EdgeCounter.DROPPED_CONNECTION_GONE);
                        return false;
                    }
                }
            }
        } else {
            long backendParam = routeIsOurs ? Span.param(b, Span.from(firstRoute), Span.to(firstRoute), BACKEND) : Span.NONE;
            Backend named = backendParam == Span.NONE ? null : backends.withId(b, Span.from(backendParam), Span.to(backendParam));
            InetSocketAddress dialogBackend = named != null ? named.address() : null;
            if (backendParam != Span.NONE && named == null) {
                // not a backend's id as written: a backend that moved, or one named another way
                dialogBackend = Hop.hostPort(text(b, backendParam), 5060);
                named = dialogBackend == null ? null : backends.serving(dialogBackend);
            }
            int toLine = m.index(Header.TO);
            boolean inDialog = toLine >= 0 && Span.find(b, m.valueFrom(toLine), m.valueTo(toLine), TAG) >= 0;
            Backend target = dialogBackend != null || !inDialog ? null : dialogs.backendOf(callId(m, route));
            named = dialogBackend != null ? named : target;
            if (inDialog && named != null && !named.up()) {
                Backend instead = backends.choose(affinity.hash(m), affinity, false);
                if (instead != null) {
                    counters.count(EdgeCounter.FAILOVER_IN_DIALOG);
                    dialogBackend = null;
                    target = instead;
                }
            }
            if (dialogBackend == null && target == null) {
                boolean newDialog = !inDialog && !m.methodIs("CANCEL") && !m.methodIs("ACK");
                target = backends.choose(affinity.hash(m), affinity, newDialog);
            }
            if (dialogBackend == null && target == null) {
                return answer(m, out, 503, "Service Unavailable", "Retry-After: 5", from, client, route);
            }
            next = dialogBackend == null ? target.address() : named != null ? named.address() : dialogBackend;
            to = dialogBackend != null ? named : target;
            if (!inDialog && dialogForming(m)) {
                recordRoute(target, client, route);
            }
        }
        if (next == null && nextConnection == Route.NO_CONNECTION) {
            return answer(m, out, 404, "Not Found", null, from, client, route);
        }
        via(m, nextConnection != Route.NO_CONNECTION, client, route);
        SipWriter.request(m, out, route.via, route.viaLength, route.recordRoute, route.recordRouteLength,
                routeIsOurs ? routeLine : -1, nextMaxForwards(m));
        if (nextConnection != Route.NO_CONNECTION) {
            route.toConnection(nextConnection);
        } else {
            route.toAddress(next);
        }
        counters.count(EdgeCounter.FORWARDED_REQUEST);
        if (to != null && !m.methodIs("ACK")) {
            backends.awaiting(to);
        }
        return true;
    }

    /** Whether a Route entry is the edge's own, naming a dialog's backend. */
    private boolean ours(byte[] b, long entry) {
        return Span.find(b, Span.from(entry), Span.to(entry), ourUriBytes) >= 0
                && Span.find(b, Span.from(entry), Span.to(entry), BACKEND_PARAM_BYTES) >= 0;
    }

    /** The second entry of header {@code h}, whose first line is {@code line}: after a comma on that line, else the next line's first. */
    private static long secondEntry(SipMessage m, int line, Header h) {
        byte[] b = m.bytes();
        long second = Span.secondEntry(b, m.valueFrom(line), m.valueTo(line));
        if (second != Span.NONE) {
            return second;
        }
        for (int i = line + 1; i < m.headerCount(); i++) {
            if (m.kind(i) == h) {
                return Span.firstEntry(b, m.valueFrom(i), m.valueTo(i));
            }
        }
        return Span.NONE;
    }

    private static InetSocketAddress uriTarget(byte[] b, long span, Route route) {
        long target = Hop.uriTarget(b, Span.from(span), Span.to(span));
        return target >= 0 ? route.addresses.of(target) : target == Hop.NO_TARGET ? null : Hop.ofUri(text(b, span));
    }

    private static InetSocketAddress viaTarget(byte[] b, long span, Route route) {
        long target = Hop.viaTarget(b, Span.from(span), Span.to(span));
        return target >= 0 ? route.addresses.of(target) : target == Hop.NO_TARGET ? null : Hop.ofVia(text(b, span));
    }

    private static String text(byte[] b, long span) {
        return new String(b, Span.from(span), Span.to(span) - Span.from(span), StandardCharsets.UTF_8);
    }

    /** The message's Call-ID read in place by the loop's probe (an empty one when it has none). */
    private static CallId callId(SipMessage m, Route route) {
        int line = m.index(Header.CALL_ID);
        return line < 0 ? route.callId.set(m.bytes(), 0, 0)
                : route.callId.set(m.bytes(), Span.trimStart(m.bytes(), m.valueFrom(line), m.valueTo(line)),
                Span.trimEnd(m.bytes(), m.valueFrom(line), m.valueTo(line)));
    }

    /** The Max-Forwards to send: the request's less one (checked to be 1 to 255 by {@link SipChecks}), or 70 when it has none. */
    private static int nextMaxForwards(SipMessage m) {
        int line = m.index(Header.MAX_FORWARDS);
        if (line < 0) {
            return 70;
        }
        byte[] b = m.bytes();
        int from = Span.trimStart(b, m.valueFrom(line), m.valueTo(line));
        return (int) Span.number(b, from, Span.trimEnd(b, from, m.valueTo(line)), 9) - 1;
    }

    /** Answers a request statelessly, back where it came from. */
    private boolean answer(SipMessage m, ByteBuffer out, int status, String reason, String extraHeader, InetSocketAddress from,
                           long connection, Route route) {
        counters.answered(status);
        Telemetry t = telemetry;
        if (t != null) {
            t.response(status);
        }
        SipWriter.answer(m, out, status, reason, EDGE_TAG, extraHeader);
        if (connection != Route.NO_CONNECTION) {
            route.toConnection(connection);
        } else {
            route.toAddress(from);
        }
        return true;
    }

    private boolean response(SipMessage m, Backend from, ByteBuffer out, Route route) {
        byte[] b = m.bytes();
        int viaLine = m.index(Header.VIA);
        long ours = Span.firstEntry(b, m.valueFrom(viaLine), m.valueTo(viaLine));
        long second = secondEntry(m, viaLine, Header.VIA);
        int oursFrom = Span.from(ours);
        int oursTo = Span.to(ours);
        boolean named = Span.find(b, oursFrom, oursTo, advertisedBytes) >= 0;
        long branch = Span.param(b, oursFrom, oursTo, BRANCH);
        if (second == Span.NONE && named && branch != Span.NONE && Span.startsWith(b, Span.from(branch), Span.to(branch), PROBE_BRANCH)) {
            if (from != null) {
                Prober.answered(from, text(b, branch), m.status());
            }
            counters.count(EdgeCounter.PROBE_ANSWERS);
            return false;
        }
        if (!named || second == Span.NONE) {
            counters.count(EdgeCounter.DROPPED_NOT_OUR_VIA);
            return false;
        }
        long connection = Span.param(b, oursFrom, oursTo, CONNECTION);
        long client = connection == Span.NONE ? Route.NO_CONNECTION : Span.number(b, Span.from(connection), Span.to(connection), 18);
        if (connection != Span.NONE && (client < 0 || !connectionOpen.test(client))) {
            counters.count(EdgeCounter.DROPPED_CONNECTION_GONE);
            return false;
        }
        InetSocketAddress next = client != Route.NO_CONNECTION ? null : viaTarget(b, second, route);
        if (client == Route.NO_CONNECTION && next == null) {
            counters.count(EdgeCounter.DROPPED_BAD_VIA);
            return false;
        }
        if (from != null) {
            observe(from, m, ours);
        }
        track(m, from, route);
        SipWriter.response(m, out);
        if (client != Route.NO_CONNECTION) {
            route.toConnection(client);
        } else {
            route.toAddress(next);
        }
        counters.count(EdgeCounter.FORWARDED_RESPONSE);
        Telemetry t = telemetry;
        if (t != null) {
            t.response(m.status());
        }
        return true;
    }

    /** What a backend's answer says of its health, with the RFC 7339 overload feedback in the edge's Via entry {@code ours}. */
    private void observe(Backend backend, SipMessage m, long ours) {
        byte[] b = m.bytes();
        int oc = -1;
        long validity = -1;
        long ocSpan = Span.param(b, Span.from(ours), Span.to(ours), OC);
        if (ocSpan != Span.NONE) {
            oc = (int) Span.number(b, Span.from(ocSpan), Span.to(ocSpan), 3);
            if (oc >= 0) {
                long v = Span.param(b, Span.from(ours), Span.to(ours), OC_VALIDITY);
                validity = v == Span.NONE ? -1 : Span.number(b, Span.from(v), Span.to(v), 9);
            }
        }
        backends.answered(backend, m.status(), oc, validity);
    }

    /** An INVITE's 2xx from a backend opens a dialog; a BYE's 2xx closes it. */
    private void track(SipMessage m, Backend from, Route route) {
        int line = m.index(Header.CSEQ);
        if (m.status() < 200 || m.status() >= 300 || line < 0) {
            return;
        }
        byte[] b = m.bytes();
        int cseqTo = Span.trimEnd(b, m.valueFrom(line), m.valueTo(line));
        if (Span.endsWith(b, m.valueFrom(line), cseqTo, CSEQ_INVITE)) {
            if (from != null) {
                dialogs.started(callId(m, route), from);
            }
        } else if (Span.endsWith(b, m.valueFrom(line), cseqTo, CSEQ_BYE)) {
            dialogs.ended(callId(m, route));
        }
    }

    /**
     * Writes the edge's Via into {@code route}: the transport it sends on, a branch derived from
     * the incoming one (or, without an RFC 3261 branch, from the Via, Call-ID and CSeq), the
     * {@code oc} parameter, and for a request from a TCP client the connection its answers go
     * back on.
     */
    private void via(SipMessage m, boolean tcp, long client, Route route) {
        byte[] in = m.bytes();
        int viaLine = m.index(Header.VIA);
        long top = Span.firstEntry(in, m.valueFrom(viaLine), m.valueTo(viaLine));
        long branch = Span.param(in, Span.from(top), Span.to(top), BRANCH);
        long h = branch != Span.NONE && Span.startsWith(in, Span.from(branch), Span.to(branch), MAGIC_COOKIE)
                ? Rendezvous.hash(in, Span.from(branch), Span.to(branch))
                : Rendezvous.hash(text(in, top) + '\n' + m.first(Header.CALL_ID) + '\n' + cseqNumber(m.first(Header.CSEQ)));
        byte[] b = route.via;
        byte[] prefix = tcp ? tcpViaPrefix : udpViaPrefix;
        System.arraycopy(prefix, 0, b, 0, prefix.length);
        int at = hex(h ^ secret, b, prefix.length);
        System.arraycopy(ocParam, 0, b, at, ocParam.length);
        at += ocParam.length;
        if (client != Route.NO_CONNECTION) {
            at = connection(client, b, at);
        }
        route.viaLength = at;
    }

    /** {@code <sip:edge;lr;d2r2-b=backend[;d2r2-c=connection]>} into {@code route}. */
    private void recordRoute(Backend target, long client, Route route) {
        byte[] b = route.recordRoute;
        System.arraycopy(recordRoutePrefix, 0, b, 0, recordRoutePrefix.length);
        int at = recordRoutePrefix.length;
        System.arraycopy(target.idBytes, 0, b, at, target.idBytes.length);
        at += target.idBytes.length;
        if (client != Route.NO_CONNECTION) {
            at = connection(client, b, at);
        }
        b[at++] = '>';
        route.recordRouteLength = at;
    }

    private int connection(long id, byte[] b, int at) {
        System.arraycopy(connectionParam, 0, b, at, connectionParam.length);
        return decimal(id, b, at + connectionParam.length);
    }

    private static String cseqNumber(String cseq) {
        int space = cseq.indexOf(' ');
        return space < 0 ? cseq : cseq.substring(0, space);
    }

    private static int hex(long v, byte[] b, int at) {
        int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            b[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        return at + digits;
    }

    private static int decimal(long v, byte[] b, int at) {
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) {
            digits++;
        }
        for (int i = digits - 1; i >= 0; i--) {
            b[at + i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return at + digits;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean dialogForming(SipMessage m) {
        return m.methodIs("INVITE") || m.methodIs("SUBSCRIBE") || m.methodIs("REFER");
    }
}
