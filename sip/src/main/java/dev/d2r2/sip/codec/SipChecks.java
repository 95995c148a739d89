package dev.d2r2.sip.codec;

import java.util.List;
import java.util.Locale;

/**
 * What a stateless edge proxy may do with a parsed message (RFC 3261 §16.3, §8.2, and the
 * RFC 4475/5118 torture tests): a bad request that names where to answer (a Via) is answered
 * (400, 416, 420, 483, 505, 513), one that does not is dropped; a bad response is dropped.
 */
public final class SipChecks {
    private static final Header[] MANDATORY = {Header.FROM, Header.TO, Header.CALL_ID, Header.CSEQ};
    private static final Header[] SINGLE = {Header.FROM, Header.TO, Header.CALL_ID, Header.CSEQ, Header.MAX_FORWARDS};
    private static final Header[] ADDRESSES = {Header.FROM, Header.TO, Header.CONTACT, Header.ROUTE, Header.RECORD_ROUTE};
    private static final long MAX_CSEQ = 4_294_967_295L;
    /** The drops, made once: the edge counts them by {@link Verdict#why()}, so a flood of bad messages makes no text. */
    private static final Verdict DROP_KEEP_ALIVE = Verdict.drop("keep-alive");
    private static final Verdict DROP_NO_VIA = Verdict.drop("no Via to answer to");
    private static final Verdict DROP_STATUS = Verdict.drop("status code");
    private static final Verdict DROP_VERSION = Verdict.drop("version");
    private static final Verdict DROP_MISSING_HEADER = Verdict.drop("missing header");
    private static final Verdict DROP_CSEQ = Verdict.drop("cseq");
    private static final Verdict[] DROP_MALFORMED = java.util.Arrays.stream(Malformation.values())
            .map(w -> Verdict.drop(w.name().toLowerCase(Locale.ROOT))).toArray(Verdict[]::new);

    private SipChecks() {
    }

    public static Verdict check(SipMessage m) {
        return m.isRequest() ? request(m) : response(m);
    }

    private static Verdict request(SipMessage m) {
        if (m.malformation() == Malformation.EMPTY) {
            return DROP_KEEP_ALIVE;
        }
        if (m.count(Header.VIA) == 0) {
            return DROP_NO_VIA;
        }
        if (m.malformation() != null) {
            return m.malformation() == Malformation.TOO_LARGE
                    ? Verdict.respond(513, "Message Too Large", "too large")
                    : Verdict.respond(400, "Bad Request (" + m.malformation().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")",
                    m.malformation().name().toLowerCase(Locale.ROOT));
        }
        if (!m.version().equalsIgnoreCase("SIP/2.0")) {
            return Verdict.respond(505, "Version Not Supported", "version");
        }
        for (Header h : MANDATORY) {
            if (m.count(h) == 0) {
                return Verdict.respond(400, "Missing " + h.canonical(), "missing header");
            }
        }
        for (Header h : SINGLE) {
            if (m.count(h) > 1 || m.count(h) == 1 && m.all(h).size() > 1) {
                return Verdict.respond(400, "Repeated " + h.canonical(), "repeated header");
            }
        }
        String cseq = m.first(Header.CSEQ);
        int methodAt = cseqMethod(cseq);
        if (methodAt < 0) {
            return Verdict.respond(400, "Bad CSeq", "cseq");
        }
        if (!m.methodIs(cseq, methodAt, cseq.length())) {
            return Verdict.respond(400, "CSeq method does not match the request", "cseq method");
        }
        for (String via : m.all(Header.VIA)) {
            if (!via(via)) {
                return Verdict.respond(400, "Bad Via", "via");
            }
        }
        for (Header h : ADDRESSES) {
            for (String a : m.all(h)) {
                String why = Nesting.quotesClosed(a) ? addressProblem(a, h == Header.CONTACT) : "unbalanced quotes";
                if (why != null) {
                    return Verdict.respond(400, "Bad " + h.canonical() + ": " + why, "address");
                }
            }
        }
        Verdict uri = requestUri(m.requestUri());
        if (uri != null) {
            return uri;
        }
        int maxForwards = 70;
        String mf = m.first(Header.MAX_FORWARDS);
        if (mf != null) {
            if (!SipParser.digits(mf, 9) || Integer.parseInt(mf) > 255) {
                return Verdict.respond(400, "Bad Max-Forwards", "max-forwards");
            }
            maxForwards = Integer.parseInt(mf);
        }
        List<String> proxyRequire = m.all(Header.PROXY_REQUIRE);
        if (!proxyRequire.isEmpty()) {
            return new Verdict(Verdict.Kind.RESPOND, 420, "Bad Extension", "proxy-require", String.join(", ", proxyRequire));
        }
        if (maxForwards == 0) {
            return Verdict.respond(483, "Too Many Hops", "max-forwards 0");
        }
        return Verdict.FORWARD;
    }

    private static Verdict response(SipMessage m) {
        if (m.malformation() != null) {
            return DROP_MALFORMED[m.malformation().ordinal()];
        }
        if (m.status() < 100 || m.status() > 699) {
            return DROP_STATUS;
        }
        if (!m.version().equalsIgnoreCase("SIP/2.0")) {
            return DROP_VERSION;
        }
        if (m.count(Header.VIA) == 0 || m.count(Header.CSEQ) != 1) {
            return DROP_MISSING_HEADER;
        }
        if (cseqMethod(m.first(Header.CSEQ)) < 0) {
            return DROP_CSEQ;
        }
        return Verdict.FORWARD;
    }

    /** Checked by index, without substrings: it runs on every request the edge forwards. */
    private static Verdict requestUri(String uri) {
        int colon = uri.indexOf(':');
        if (uri.indexOf('<') >= 0 || uri.indexOf('>') >= 0 || colon <= 0 || !scheme(uri, colon)) {
            return Verdict.respond(400, "Bad Request-URI", "request-uri");
        }
        if (colon == 3 && uri.regionMatches(true, 0, "tel", 0, 3)) {
            return null;
        }
        if (!(colon == 3 && uri.regionMatches(true, 0, "sip", 0, 3)) && !(colon == 4 && uri.regionMatches(true, 0, "sips", 0, 4))) {
            return Verdict.respond(416, "Unsupported URI Scheme", "uri scheme");
        }
        int at = uri.lastIndexOf('@');
        int hostFrom = at > colon ? at + 1 : colon + 1;
        if (uri.indexOf('?', hostFrom) >= 0) {
            return Verdict.respond(400, "Headers in the Request-URI", "request-uri headers");
        }
        int semi = uri.indexOf(';', hostFrom);
        int hostTo = semi < 0 ? uri.length() : semi;
        if (hostFrom == hostTo || uri.charAt(hostFrom) != '[' && colons(uri, hostFrom, hostTo) > 1) {
            return Verdict.respond(400, "Bad host in the Request-URI", "request-uri host");
        }
        return null;
    }

    private static int colons(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += s.charAt(i) == ':' ? 1 : 0;
        }
        return n;
    }

    /** Why a name-addr or addr-spec is malformed, or null; by index, as {@link #requestUri}. */
    private static String addressProblem(String a, boolean contact) {
        if (contact && a.equals("*")) {
            return null;
        }
        int lt = Nesting.topLevel(a, 0, '<');
        if (lt >= 0) {
            int gt = a.indexOf('>', lt);
            if (gt < 0) {
                return "no closing >";
            }
            int from = stripStart(a, 0, lt);
            int to = stripEnd(a, from, lt);
            if (from < to && !(a.charAt(from) == '"' && a.charAt(to - 1) == '"' && to - from >= 2) && !tokens(a, from, to)) {
                return "display name must be quoted";
            }
            if (!uriSpec(a, lt + 1, gt, " \t\r\n")) {
                return "bad URI inside <>";
            }
            return null;
        }
        int semi = a.indexOf(';');
        int from = stripStart(a, 0, semi < 0 ? a.length() : semi);
        int to = stripEnd(a, from, semi < 0 ? a.length() : semi);
        if (!uriSpec(a, from, to, " \t\r\n?,")) {
            return "a URI with headers, spaces or commas must be inside <>";
        }
        return null;
    }

    /** {@code s[from, to)} is not empty, has a scheme before a colon, and none of {@code forbidden}. */
    private static boolean uriSpec(String s, int from, int to, String forbidden) {
        int colon = s.indexOf(':', from);
        if (from == to || colon <= from || colon >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (forbidden.indexOf(s.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** As {@link String#strip()}, the first index of {@code s[from, to)} past its leading white space. */
    private static int stripStart(String s, int from, int to) {
        while (from < to && Character.isWhitespace(s.charAt(from))) {
            from++;
        }
        return from;
    }

    private static int stripEnd(String s, int from, int to) {
        while (to > from && Character.isWhitespace(s.charAt(to - 1))) {
            to--;
        }
        return to;
    }

    /** True when the display name {@code s[from, to)} (not empty) is tokens separated by spaces or tabs. */
    private static boolean tokens(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && !(c < 128 && SipParser.isTokenChar(c))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where the method starts in a CSeq value ({@code 1-10 digits, whitespace, method}, the number
     * at most 2^32-1), or -1 when the value is not one.
     */
    static int cseqMethod(String v) {
        int n = v.length();
        int i = 0;
        long number = 0;
        while (i < n && i < 11 && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
            number = number * 10 + (v.charAt(i++) - '0');
        }
        if (i == 0 || i > 10 || number > MAX_CSEQ) {
            return -1;
        }
        int digits = i;
        i = skipSpace(v, i);
        if (i == digits || i == n) {
            return -1;
        }
        for (int j = i; j < n; j++) {
            if (space(v.charAt(j))) {
                return -1;
            }
        }
        return i;
    }

    /** {@code SIP/2.0/transport sent-by *(;name[=value])}, spaces allowed around the separators. */
    static boolean via(String v) {
        int n = v.length();
        if (!v.regionMatches(true, 0, "SIP", 0, 3)) {
            return false;
        }
        int i = skipSpace(v, 3);
        if (i == n || v.charAt(i) != '/') {
            return false;
        }
        i = skipSpace(v, i + 1);
        if (!v.startsWith("2.0", i)) {
            return false;
        }
        i = skipSpace(v, i + 3);
        if (i == n || v.charAt(i) != '/') {
            return false;
        }
        i = skipSpace(v, i + 1);
        int from = i;
        i = skipToken(v, i);
        if (i == from) {
            return false;
        }
        from = i;
        i = skipSpace(v, i);
        if (i == from) {
            return false;
        }
        from = i;
        while (i < n && v.charAt(i) != ';' && !space(v.charAt(i))) {
            i++;
        }
        if (i == from) {
            return false;
        }
        i = skipSpace(v, i);
        while (i < n) {
            if (v.charAt(i) != ';') {
                return false;
            }
            i = skipSpace(v, i + 1);
            from = i;
            i = skipToken(v, i);
            if (i == from) {
                return false;
            }
            i = skipSpace(v, i);
            if (i < n && v.charAt(i) == '=') {
                from = ++i;
                while (i < n && v.charAt(i) != ';') {
                    i++;
                }
                if (i == from) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A URI scheme: a letter, then letters, digits, {@code + . -}. */
    private static boolean scheme(String uri, int to) {
        if (to == 0 || !letter(uri.charAt(0))) {
            return false;
        }
        for (int i = 1; i < to; i++) {
            char c = uri.charAt(i);
            if (!letter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean letter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0x0B;
    }

    private static int skipSpace(String v, int i) {
        while (i < v.length() && space(v.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipToken(String v, int i) {
        while (i < v.length() && v.charAt(i) < 128 && SipParser.isTokenChar(v.charAt(i))) {
            i++;
        }
        return i;
    }
}
