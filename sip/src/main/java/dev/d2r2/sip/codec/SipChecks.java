package dev.d2r2.sip.codec;

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
        if (!m.versionIs("SIP/2.0")) {
            return Verdict.respond(505, "Version Not Supported", "version");
        }
        for (Header h : MANDATORY) {
            if (m.count(h) == 0) {
                return Verdict.respond(400, "Missing " + h.canonical(), "missing header");
            }
        }
        for (Header h : SINGLE) {
            if (m.count(h) > 1 || m.count(h) == 1 && twoEntries(m.entries(h))) {
                return Verdict.respond(400, "Repeated " + h.canonical(), "repeated header");
            }
        }
        CharSequence cseq = m.firstChars(Header.CSEQ);
        int methodAt = cseqMethod(cseq);
        if (methodAt < 0) {
            return Verdict.respond(400, "Bad CSeq", "cseq");
        }
        if (!m.methodIs(cseq, methodAt, cseq.length())) {
            return Verdict.respond(400, "CSeq method does not match the request", "cseq method");
        }
        Entries vias = m.entries(Header.VIA);
        for (CharSequence via = vias.next(); via != null; via = vias.next()) {
            if (!via(via)) {
                return Verdict.respond(400, "Bad Via", "via");
            }
        }
        for (Header h : ADDRESSES) {
            Entries addresses = m.entries(h);
            for (CharSequence a = addresses.next(); a != null; a = addresses.next()) {
                String why = Nesting.quotesClosed(a) ? addressProblem(a, h == Header.CONTACT) : "unbalanced quotes";
                if (why != null) {
                    return Verdict.respond(400, "Bad " + h.canonical() + ": " + why, "address");
                }
            }
        }
        Verdict uri = requestUri(m.requestUriChars());
        if (uri != null) {
            return uri;
        }
        int maxForwards = 70;
        CharSequence mf = m.firstChars(Header.MAX_FORWARDS);
        if (mf != null) {
            maxForwards = number(mf, 9);
            if (maxForwards < 0 || maxForwards > 255) {
                return Verdict.respond(400, "Bad Max-Forwards", "max-forwards");
            }
        }
        if (m.count(Header.PROXY_REQUIRE) > 0) {
            return new Verdict(Verdict.Kind.RESPOND, 420, "Bad Extension", "proxy-require", String.join(", ", m.all(Header.PROXY_REQUIRE)));
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
        if (!m.versionIs("SIP/2.0")) {
            return DROP_VERSION;
        }
        if (m.count(Header.VIA) == 0 || m.count(Header.CSEQ) != 1) {
            return DROP_MISSING_HEADER;
        }
        if (cseqMethod(m.firstChars(Header.CSEQ)) < 0) {
            return DROP_CSEQ;
        }
        return Verdict.FORWARD;
    }

    /** Checked by index, without substrings: it runs on every request the edge forwards. */
    private static Verdict requestUri(CharSequence uri) {
        int colon = indexOf(uri, ':', 0);
        if (indexOf(uri, '<', 0) >= 0 || indexOf(uri, '>', 0) >= 0 || colon <= 0 || !scheme(uri, colon)) {
            return Verdict.respond(400, "Bad Request-URI", "request-uri");
        }
        if (colon == 3 && startsWithIgnoreCase(uri, 0, "tel")) {
            return null;
        }
        if (!(colon == 3 && startsWithIgnoreCase(uri, 0, "sip")) && !(colon == 4 && startsWithIgnoreCase(uri, 0, "sips"))) {
            return Verdict.respond(416, "Unsupported URI Scheme", "uri scheme");
        }
        int at = lastIndexOf(uri, '@');
        int hostFrom = at > colon ? at + 1 : colon + 1;
        if (indexOf(uri, '?', hostFrom) >= 0) {
            return Verdict.respond(400, "Headers in the Request-URI", "request-uri headers");
        }
        int semi = indexOf(uri, ';', hostFrom);
        int hostTo = semi < 0 ? uri.length() : semi;
        if (hostFrom == hostTo || uri.charAt(hostFrom) != '[' && colons(uri, hostFrom, hostTo) > 1) {
            return Verdict.respond(400, "Bad host in the Request-URI", "request-uri host");
        }
        return null;
    }

    private static int colons(CharSequence s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += s.charAt(i) == ':' ? 1 : 0;
        }
        return n;
    }

    /** Why a name-addr or addr-spec is malformed, or null; by index, as {@link #requestUri}. */
    private static String addressProblem(CharSequence a, boolean contact) {
        if (contact && a.length() == 1 && a.charAt(0) == '*') {
            return null;
        }
        int lt = Nesting.topLevel(a, 0, '<');
        if (lt >= 0) {
            int gt = indexOf(a, '>', lt);
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
        int semi = indexOf(a, ';', 0);
        int from = stripStart(a, 0, semi < 0 ? a.length() : semi);
        int to = stripEnd(a, from, semi < 0 ? a.length() : semi);
        if (!uriSpec(a, from, to, " \t\r\n?,")) {
            return "a URI with headers, spaces or commas must be inside <>";
        }
        return null;
    }

    /** {@code s[from, to)} is not empty, has a scheme before a colon, and none of {@code forbidden}. */
    private static boolean uriSpec(CharSequence s, int from, int to, String forbidden) {
        int colon = indexOf(s, ':', from);
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
    private static int stripStart(CharSequence s, int from, int to) {
        while (from < to && Character.isWhitespace(s.charAt(from))) {
            from++;
        }
        return from;
    }

    private static int stripEnd(CharSequence s, int from, int to) {
        while (to > from && Character.isWhitespace(s.charAt(to - 1))) {
            to--;
        }
        return to;
    }

    /** True when the display name {@code s[from, to)} (not empty) is tokens separated by spaces or tabs. */
    private static boolean tokens(CharSequence s, int from, int to) {
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
    static int cseqMethod(CharSequence v) {
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
    static boolean via(CharSequence v) {
        int n = v.length();
        if (!startsWithIgnoreCase(v, 0, "SIP")) {
            return false;
        }
        int i = skipSpace(v, 3);
        if (i == n || v.charAt(i) != '/') {
            return false;
        }
        i = skipSpace(v, i + 1);
        if (!startsWithIgnoreCase(v, i, "2.0")) {
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
    private static boolean scheme(CharSequence uri, int to) {
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

    private static int skipSpace(CharSequence v, int i) {
        while (i < v.length() && space(v.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipToken(CharSequence v, int i) {
        while (i < v.length() && v.charAt(i) < 128 && SipParser.isTokenChar(v.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean twoEntries(Entries e) {
        return e.next() != null && e.next() != null;
    }

    /** The decimal value of {@code s} (1 to {@code maxDigits} digits), or -1. */
    private static int number(CharSequence s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + c - '0';
        }
        return n;
    }

    private static int indexOf(CharSequence s, char c, int from) {
        for (int i = Math.max(0, from); i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(CharSequence s, char c) {
        for (int i = s.length() - 1; i >= 0; i--) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** True when {@code s} holds {@code prefix} at {@code at}, letters compared ignoring case. */
    private static boolean startsWithIgnoreCase(CharSequence s, int at, String prefix) {
        if (at + prefix.length() > s.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = s.charAt(at + i);
            char p = prefix.charAt(i);
            if (c != p && Character.toLowerCase(c) != Character.toLowerCase(p)) {
                return false;
            }
        }
        return true;
    }
}
