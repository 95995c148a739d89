package dev.d2r2.sip.codec;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Where a SIP URI or a Via points: host and port, with the defaults and the RFC 3581/3261 Via rules. */
public final class Hop {
    private Hop() {
    }

    /** The host and port of a SIP URI ({@code sip:user@host:port;params}, with or without {@code <>}), or null. */
    public static InetSocketAddress ofUri(String uri) {
        String inside = bracketed(uri);
        String u = inside != null ? inside : uri.strip();
        int colon = u.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String rest = u.substring(colon + 1);
        int at = rest.lastIndexOf('@');
        rest = rest.substring(at + 1);
        int end = rest.length();
        for (char c : new char[]{';', '?', '>'}) {
            int i = rest.indexOf(c);
            if (i >= 0) {
                end = Math.min(end, i);
            }
        }
        return hostPort(rest.substring(0, end), 5060);
    }

    /** The URI between {@code <} and {@code >} of a name-addr, or null for a bare URI. */
    public static String bracketed(String text) {
        int lt = text.indexOf('<');
        if (lt < 0) {
            return null;
        }
        int gt = text.indexOf('>', lt);
        return text.substring(lt + 1, gt < 0 ? text.length() : gt);
    }

    /**
     * Where a response goes for this Via value: {@code received} (else the sent-by host) and
     * {@code rport} (else the sent-by port, else 5060).
     */
    public static InetSocketAddress ofVia(String via) {
        String v = via.strip();
        int space = v.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String rest = v.substring(space + 1).strip();
        int semi = rest.indexOf(';');
        String sentBy = (semi < 0 ? rest : rest.substring(0, semi)).strip();
        String params = semi < 0 ? "" : rest.substring(semi);
        InetSocketAddress base = hostPort(sentBy, 5060);
        if (base == null) {
            return null;
        }
        String received = param(params, "received");
        String rport = param(params, "rport");
        String host = received != null ? received : base.getHostString();
        int port = rport != null && SipParser.digits(rport, 5) ? Integer.parseInt(rport) : base.getPort();
        return address(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port);
    }

    /** The value of {@code ;name=value} in a parameter list, or null. */
    public static String param(String params, String name) {
        int i = -1;
        for (int at = params.indexOf(';'); at >= 0; at = params.indexOf(';', at + 1)) {
            int start = at + 1;
            while (start < params.length() && params.charAt(start) == ' ') {
                start++;
            }
            if (params.regionMatches(true, start, name, 0, name.length()) && start + name.length() < params.length()
                    && params.charAt(start + name.length()) == '=') {
                i = start - 1;
                break;
            }
        }
        if (i < 0) {
            return null;
        }
        int from = i + name.length() + 2;
        int to = from;
        while (to < params.length() && params.charAt(to) != ';' && params.charAt(to) != '>' && params.charAt(to) != ',') {
            to++;
        }
        return params.substring(from, to).strip();
    }

    public static InetSocketAddress hostPort(String text, int defaultPort) {
        String host;
        int port = defaultPort;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = text.substring(1, close);
            if (close + 1 < text.length() && text.charAt(close + 1) == ':') {
                port = parsePort(text.substring(close + 2));
            }
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            if (colon >= 0) {
                port = parsePort(text.substring(colon + 1));
            }
        }
        return port < 0 || host.isEmpty() ? null : address(host, port);
    }

    private static int parsePort(String s) {
        return SipParser.digits(s, 5) && Integer.parseInt(s) <= 65535 ? Integer.parseInt(s) : -1;
    }

    private static InetSocketAddress address(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** {@code user@host} of a From value or a URI, lower-cased host, without scheme, display name or parameters. */
    public static String aor(String text) {
        String t = bracketed(text);
        if (t == null) {
            int semi = text.indexOf(';');
            t = (semi < 0 ? text : text.substring(0, semi)).strip();
        }
        int colon = t.indexOf(':');
        if (colon >= 0 && (t.startsWith("sip:") || t.startsWith("sips:") || t.startsWith("tel:"))) {
            t = t.substring(colon + 1);
        }
        int semi = t.indexOf(';');
        t = semi < 0 ? t : t.substring(0, semi);
        int at = t.indexOf('@');
        return at < 0 ? t : t.substring(0, at) + "@" + t.substring(at + 1).toLowerCase(Locale.ROOT);
    }

}
