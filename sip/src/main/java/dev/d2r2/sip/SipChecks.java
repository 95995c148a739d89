package dev.d2r2.sip;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a stateless edge proxy may do with a parsed message (RFC 3261 §16.3, §8.2, and the
 * RFC 4475/5118 torture tests): a bad request that names where to answer (a Via) is answered
 * (400, 416, 420, 483, 505, 513), one that does not is dropped; a bad response is dropped.
 */
public final class SipChecks {
    private static final Header[] MANDATORY = {Header.FROM, Header.TO, Header.CALL_ID, Header.CSEQ};
    private static final Header[] SINGLE = {Header.FROM, Header.TO, Header.CALL_ID, Header.CSEQ, Header.MAX_FORWARDS};
    private static final Header[] ADDRESSES = {Header.FROM, Header.TO, Header.CONTACT, Header.ROUTE, Header.RECORD_ROUTE};
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*");
    private static final Pattern VIA = Pattern.compile(
            "(?i)SIP\\s*/\\s*2\\.0\\s*/\\s*[A-Za-z0-9.!%*_+`'~\\-]+\\s+[^;\\s]+\\s*(;\\s*[A-Za-z0-9.!%*_+`'~\\-]+(\\s*=\\s*[^;]+)?\\s*)*");
    private static final Pattern CSEQ = Pattern.compile("(\\d{1,10})\\s+(\\S+)");
    private static final long MAX_CSEQ = 4_294_967_295L;

    private SipChecks() {
    }

    public static Verdict check(SipMessage m) {
        return m.isRequest() ? request(m) : response(m);
    }

    private static Verdict request(SipMessage m) {
        if (m.malformation() == Malformation.EMPTY) {
            return Verdict.drop("keep-alive");
        }
        if (m.count(Header.VIA) == 0) {
            return Verdict.drop("no Via to answer to");
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
        var cseq = CSEQ.matcher(m.first(Header.CSEQ));
        if (!cseq.matches() || Long.parseLong(cseq.group(1)) > MAX_CSEQ) {
            return Verdict.respond(400, "Bad CSeq", "cseq");
        }
        if (!cseq.group(2).equals(m.method())) {
            return Verdict.respond(400, "CSeq method does not match the request", "cseq method");
        }
        for (String via : m.all(Header.VIA)) {
            if (!VIA.matcher(via).matches()) {
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
            return Verdict.drop(m.malformation().name().toLowerCase(Locale.ROOT));
        }
        if (m.status() < 100 || m.status() > 699) {
            return Verdict.drop("status code");
        }
        if (!m.version().equalsIgnoreCase("SIP/2.0")) {
            return Verdict.drop("version");
        }
        if (m.count(Header.VIA) == 0 || m.count(Header.CSEQ) != 1) {
            return Verdict.drop("missing header");
        }
        var cseq = CSEQ.matcher(m.first(Header.CSEQ));
        if (!cseq.matches() || Long.parseLong(cseq.group(1)) > MAX_CSEQ) {
            return Verdict.drop("cseq");
        }
        return Verdict.FORWARD;
    }

    private static Verdict requestUri(String uri) {
        int colon = uri.indexOf(':');
        if (uri.indexOf('<') >= 0 || uri.indexOf('>') >= 0 || colon <= 0 || !SCHEME.matcher(uri.substring(0, colon)).matches()) {
            return Verdict.respond(400, "Bad Request-URI", "request-uri");
        }
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        if (scheme.equals("tel")) {
            return null;
        }
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            return Verdict.respond(416, "Unsupported URI Scheme", "uri scheme");
        }
        String rest = uri.substring(colon + 1);
        int at = rest.lastIndexOf('@');
        String host = rest.substring(at + 1);
        if (host.indexOf('?') >= 0) {
            return Verdict.respond(400, "Headers in the Request-URI", "request-uri headers");
        }
        int semi = host.indexOf(';');
        host = semi < 0 ? host : host.substring(0, semi);
        if (host.isEmpty() || !host.startsWith("[") && host.indexOf(':') != host.lastIndexOf(':')) {
            return Verdict.respond(400, "Bad host in the Request-URI", "request-uri host");
        }
        return null;
    }

    /** Why a name-addr or addr-spec is malformed, or null. */
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
            String display = a.substring(0, lt).strip();
            if (!display.isEmpty() && !(display.startsWith("\"") && display.endsWith("\"") && display.length() >= 2)
                    && !tokens(display)) {
                return "display name must be quoted";
            }
            String spec = a.substring(lt + 1, gt);
            if (spec.isEmpty() || containsAny(spec, " \t\r\n") || spec.indexOf(':') <= 0) {
                return "bad URI inside <>";
            }
            return null;
        }
        int semi = a.indexOf(';');
        String spec = (semi < 0 ? a : a.substring(0, semi)).strip();
        if (spec.isEmpty() || spec.indexOf(':') <= 0 || containsAny(spec, " \t\r\n?,")) {
            return "a URI with headers, spaces or commas must be inside <>";
        }
        return null;
    }

    /** True when the display name is tokens separated by spaces or tabs. */
    private static boolean tokens(String display) {
        boolean inWord = false;
        for (int i = 0; i < display.length(); i++) {
            char c = display.charAt(i);
            if (c == ' ' || c == '\t') {
                inWord = false;
            } else if (c < 128 && SipParser.isTokenChar(c)) {
                inWord = true;
            } else {
                return false;
            }
        }
        return inWord || !display.isEmpty();
    }

    private static boolean containsAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

}
