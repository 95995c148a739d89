package dev.d2r2.sip.edge;

import dev.d2r2.core.Rendezvous;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipChecks;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.codec.SipWriter;
import dev.d2r2.sip.codec.Verdict;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Where a message goes, decided without a socket: a stateless proxy (RFC 3261 §16.11) that
 * spreads dialogs over the backends ({@link BackendSet#choose}) and keeps every dialog on its
 * backend by carrying the backend in its Record-Route ({@code ;d2r2-b=host:port}). Requests
 * from a backend go to their next hop (a Route, else the Request-URI); in-dialog requests from
 * outside go to the backend their Route names, or without one (SIPp's uac sends its ACK and BYE
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

    private final String advertised;
    private final String ourUri;
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
                dialogs.confirm(m.first(Header.CALL_ID));
            }
        }
        List<String> routes = m.all(Header.ROUTE);
        String firstRoute = routes.isEmpty() ? null : routes.getFirst();
        boolean routeIsOurs = firstRoute != null && firstRoute.contains(ourUri) && firstRoute.contains(BACKEND_PARAM);
        InetSocketAddress next;
        long nextConnection = Route.NO_CONNECTION;
        Backend to = null;
        route.recordRouteLength = -1;
        if (source != null) {
            String after = routeIsOurs ? (routes.size() > 1 ? routes.get(1) : null) : firstRoute;
            next = after != null ? Hop.ofUri(after) : Hop.ofUri(m.requestUri());
            String connection = routeIsOurs ? Hop.param(firstRoute, "d2r2-c") : null;
            if (connection != null && SipParser.digits(connection, 18)) {
                nextConnection = Long.parseLong(connection);
                if (!connectionOpen.test(nextConnection)) {
                    counters.count(EdgeCounter.DROPPED_CONNECTION_GONE);
                    return false;
                }
            }
        } else {
            InetSocketAddress dialogBackend = routeIsOurs ? Hop.hostPort(Hop.param(firstRoute, "d2r2-b"), 5060) : null;
            boolean inDialog = m.first(Header.TO).contains(";tag=");
            Backend target = dialogBackend != null || !inDialog ? null : dialogs.backendOf(m.first(Header.CALL_ID));
            Backend named = dialogBackend != null ? backends.serving(dialogBackend) : target;
            if (inDialog && named != null && !named.up()) {
                Backend instead = backends.choose(Rendezvous.hash(affinity.key(m)), affinity, false);
                if (instead != null) {
                    counters.count(EdgeCounter.FAILOVER_IN_DIALOG);
                    dialogBackend = null;
                    target = instead;
                }
            }
            if (dialogBackend == null && target == null) {
                boolean newDialog = !inDialog && !m.methodIs("CANCEL") && !m.methodIs("ACK");
                target = backends.choose(Rendezvous.hash(affinity.key(m)), affinity, newDialog);
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
        String mf = m.first(Header.MAX_FORWARDS);
        int maxForwards = mf == null ? 70 : Integer.parseInt(mf) - 1;
        via(m, nextConnection != Route.NO_CONNECTION, client, route);
        SipWriter.request(m, out, route.via, route.viaLength, route.recordRoute, route.recordRouteLength,
                routeIsOurs ? headerIndex(m, Header.ROUTE) : -1, maxForwards);
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
        List<String> vias = m.all(Header.VIA);
        String ours = vias.getFirst();
        String branch = Hop.param(ours, "branch");
        if (vias.size() == 1 && branch != null && branch.startsWith(Prober.BRANCH) && ours.contains(advertised)) {
            if (from != null) {
                Prober.answered(from, branch, m.status());
            }
            counters.count(EdgeCounter.PROBE_ANSWERS);
            return false;
        }
        if (!ours.contains(advertised) || vias.size() < 2) {
            counters.count(EdgeCounter.DROPPED_NOT_OUR_VIA);
            return false;
        }
        String connection = Hop.param(ours, "d2r2-c");
        long client = connection != null && SipParser.digits(connection, 18) ? Long.parseLong(connection) : Route.NO_CONNECTION;
        if (connection != null && (client == Route.NO_CONNECTION || !connectionOpen.test(client))) {
            counters.count(EdgeCounter.DROPPED_CONNECTION_GONE);
            return false;
        }
        InetSocketAddress next = client != Route.NO_CONNECTION ? null : Hop.ofVia(vias.get(1));
        if (client == Route.NO_CONNECTION && next == null) {
            counters.count(EdgeCounter.DROPPED_BAD_VIA);
            return false;
        }
        if (from != null) {
            observe(from, m, ours);
        }
        track(m, from);
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

    /** What a backend's answer says of its health, with the RFC 7339 overload feedback in the edge's Via. */
    private void observe(Backend b, SipMessage m, String ourVia) {
        int oc = -1;
        long validity = -1;
        String ocText = Hop.param(ourVia, "oc");
        if (ocText != null && SipParser.digits(ocText, 3)) {
            oc = Integer.parseInt(ocText);
            String v = Hop.param(ourVia, "oc-validity");
            validity = v != null && SipParser.digits(v, 9) ? Long.parseLong(v) : -1;
        }
        backends.answered(b, m.status(), oc, validity);
    }

    /** An INVITE's 2xx from a backend opens a dialog; a BYE's 2xx closes it. */
    private void track(SipMessage m, Backend from) {
        if (m.status() < 200 || m.status() >= 300) {
            return;
        }
        String cseq = m.first(Header.CSEQ);
        if (cseq.endsWith(" INVITE")) {
            if (from != null) {
                dialogs.started(m.first(Header.CALL_ID), from);
            }
        } else if (cseq.endsWith(" BYE")) {
            dialogs.ended(m.first(Header.CALL_ID));
        }
    }

    /**
     * Writes the edge's Via into {@code route}: the transport it sends on, a branch derived from
     * the incoming one (or, without an RFC 3261 branch, from the Via, Call-ID and CSeq), the
     * {@code oc} parameter, and for a request from a TCP client the connection its answers go
     * back on.
     */
    private void via(SipMessage m, boolean tcp, long client, Route route) {
        String top = m.all(Header.VIA).getFirst();
        String branch = Hop.param(top, "branch");
        long h = branch != null && branch.startsWith("z9hG4bK")
                ? Rendezvous.hash(branch)
                : Rendezvous.hash(top + '\n' + m.first(Header.CALL_ID) + '\n' + cseqNumber(m.first(Header.CSEQ)));
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

    private static boolean dialogForming(SipMessage m) {
        return m.methodIs("INVITE") || m.methodIs("SUBSCRIBE") || m.methodIs("REFER");
    }

    private static int headerIndex(SipMessage m, Header h) {
        for (int i = 0; i < m.headerCount(); i++) {
            if (m.kind(i) == h) {
                return i;
            }
        }
        return -1;
    }
}
