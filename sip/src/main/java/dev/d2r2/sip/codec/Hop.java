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

    /** What the byte functions return for a value that names no valid host and port. */
    public static final long NO_TARGET = -1;
    /** What the byte functions return for a host that is not an IPv4 literal: the text functions ({@link #ofVia}, {@link #ofUri}) resolve it. */
    public static final long NOT_IPV4 = -2;

    private static final byte[] RECEIVED = "received".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] RPORT = "rport".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** An IPv4 address and a port in one {@code long}, as the byte functions return them. */
    public static long packed(int ipv4, int port) {
        return (ipv4 & 0xffffffffL) << 16 | port;
    }

    /** {@link #ofVia} of the Via entry {@code b[from, to)}, without making objects: {@link #packed}, {@link #NO_TARGET} or {@link #NOT_IPV4}. */
    public static long viaTarget(byte[] b, int from, int to) {
        int f = Span.trimStart(b, from, to);
        int t = Span.trimEnd(b, f, to);
        int space = Span.indexOf(b, f, t, ' ');
        if (space < 0) {
            return NO_TARGET;
        }
        int sentFrom = Span.trimStart(b, space + 1, t);
        int semi = Span.indexOf(b, sentFrom, t, ';');
        long base = hostPort(b, sentFrom, Span.trimEnd(b, sentFrom, semi < 0 ? t : semi), 5060);
        if (base < 0 || semi < 0) {
            return base;
        }
        long ip = base >>> 16;
        long port = base & 0xffff;
        long received = Span.param(b, semi, t, RECEIVED);
        if (received != Span.NONE) {
            ip = ipv4(b, Span.from(received), Span.to(received));
            if (ip < 0) {
                return NOT_IPV4;
            }
        }
        long rport = Span.param(b, semi, t, RPORT);
        if (rport != Span.NONE) {
            long p = Span.number(b, Span.from(rport), Span.to(rport), 5);
            port = p >= 0 && p <= 65535 ? p : port;
        }
        return packed((int) ip, (int) port);
    }

    /** {@link #ofUri} of {@code b[from, to)}, without making objects: {@link #packed}, {@link #NO_TARGET} or {@link #NOT_IPV4}. */
    public static long uriTarget(byte[] b, int from, int to) {
        long inside = Span.bracketed(b, from, to);
        int f = inside != Span.NONE ? Span.from(inside) : Span.trimStart(b, from, to);
        int t = inside != Span.NONE ? Span.to(inside) : Span.trimEnd(b, f, to);
        int colon = Span.indexOf(b, f, t, ':');
        if (colon < 0) {
            return NO_TARGET;
        }
        int hostFrom = colon + 1;
        for (int i = t - 1; i >= hostFrom; i--) {
            if (b[i] == '@') {
                hostFrom = i + 1;
                break;
            }
        }
        int end = hostFrom;
        while (end < t && b[end] != ';' && b[end] != '?' && b[end] != '>') {
            end++;
        }
        return hostPort(b, hostFrom, end, 5060);
    }

    /** {@link #hostPort(String, int)} of {@code b[from, to)}, without making objects. */
    public static long hostPort(byte[] b, int from, int to, int defaultPort) {
        if (from < to && b[from] == '[') {
            return NOT_IPV4;
        }
        int colon = Span.indexOf(b, from, to, ':');
        int hostTo = colon < 0 ? to : colon;
        if (hostTo == from) {
            return NO_TARGET;
        }
        long port = defaultPort;
        if (colon >= 0) {
            port = Span.number(b, colon + 1, to, 5);
            if (port < 0 || port > 65535) {
                return NO_TARGET;
            }
        }
        long ip = ipv4(b, from, hostTo);
        return ip < 0 ? NOT_IPV4 : packed((int) ip, (int) port);
    }

    /** The dotted-quad IPv4 address {@code b[from, to)} (no leading zeros, which some read as octal), or -1. */
    static long ipv4(byte[] b, int from, int to) {
        long ip = 0;
        int at = from;
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (at >= to || b[at] != '.') {
                    return -1;
                }
                at++;
            }
            int start = at;
            int v = 0;
            while (at < to && at - start < 3 && b[at] >= '0' && b[at] <= '9') {
                v = v * 10 + b[at] - '0';
                at++;
            }
            if (at == start || v > 255 || at - start > 1 && b[start] == '0') {
                return -1;
            }
            ip = ip << 8 | v;
        }
        return at == to ? ip : -1;
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
