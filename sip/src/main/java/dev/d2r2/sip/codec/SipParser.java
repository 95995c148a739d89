package dev.d2r2.sip.codec;

/**
 * Frames and splits SIP messages (RFC 3261 §7) without copying: start line, header lines (with
 * compact names, folding, bare-LF line ends as RFC 5118's archive has them), body framed by
 * Content-Length. Over a datagram a missing Content-Length means "the rest"; octets past it are
 * dropped; a Content-Length beyond the datagram is a truncated body (400) — except in a message
 * written with bare-LF line ends, whose octet counts were not made for its bytes (RFC 5118's
 * archive), where the body is what arrived; a datagram may also end right after its last header
 * line. On a stream the message is complete only when its body is: until then the parser
 * answers {@link #INCOMPLETE}.
 *
 * <p>A framing problem does not stop the parse: the message comes back with its
 * {@link SipMessage#malformation()} set and whatever headers could be read, so that a request can
 * still be answered with 400.
 */
public final class SipParser {
    /** A stream holds only part of a message yet. */
    public static final SipMessage INCOMPLETE = new SipMessage(new byte[0], 0);
    public static final int MAX_MESSAGE = 65_535;

    private SipParser() {
    }

    public static SipMessage datagram(byte[] buf, int off, int len) {
        return parse(null, buf, off, off + len, false);
    }

    /**
     * Parses a datagram into {@code into}, which it returns: a receive loop reuses one message
     * for every datagram, so parsing allocates nothing. The message is valid until the next call.
     */
    public static SipMessage datagram(SipMessage into, byte[] buf, int off, int len) {
        return parse(into, buf, off, off + len, false);
    }

    /** The first message in {@code buf[off, off+len)} of a stream, or {@link #INCOMPLETE}. */
    public static SipMessage stream(byte[] buf, int off, int len) {
        return parse(null, buf, off, off + len, true);
    }

    private static SipMessage parse(SipMessage into, byte[] b, int off, int end, boolean stream) {
        int i = off;
        while (i < end && (b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        SipMessage m = into == null ? new SipMessage(b, i) : into;
        if (into != null) {
            into.reset(b, i);
        }
        if (i == end) {
            if (stream) {
                return INCOMPLETE;
            }
            m.malformation = Malformation.EMPTY;
            m.end = end;
            return m;
        }
        int eol = lineEnd(b, i, end);
        if (eol < 0) {
            return stream && end - off < MAX_MESSAGE ? INCOMPLETE : fail(m, Malformation.NO_END_OF_HEADERS, end);
        }
        startLine(m, b, i, contentEnd(b, i, eol));
        int p = eol + 1;
        while (true) {
            eol = lineEnd(b, p, end);
            if (eol < 0) {
                if (stream && end - off < MAX_MESSAGE) {
                    return INCOMPLETE;
                }
                if (!stream && p == end) {
                    break;
                }
                return fail(m, Malformation.NO_END_OF_HEADERS, end);
            }
            int q = contentEnd(b, p, eol);
            if (q == p) {
                p = eol + 1;
                break;
            }
            if (b[p] == ' ' || b[p] == '\t') {
                if (m.headerCount == 0) {
                    mark(m, Malformation.HEADER_LINE);
                } else {
                    m.extendLastValue(trimEnd(b, p, q));
                }
            } else {
                header(m, b, p, q);
            }
            p = eol + 1;
        }
        m.bodyFrom = p;
        long length = contentLength(m);
        int available = end - p;
        if (length == -2) {
            mark(m, Malformation.CONTENT_LENGTH);
            length = stream ? 0 : available;
        }
        if (length == -1) {
            length = stream ? 0 : available;
        }
        if (length > available) {
            if (stream) {
                return length > MAX_MESSAGE ? fail(m, Malformation.TOO_LARGE, end) : INCOMPLETE;
            }
            if (crlf(b, m.start)) {
                mark(m, Malformation.TRUNCATED_BODY);
            }
            length = available;
        }
        m.bodyTo = p + (int) length;
        m.end = m.bodyTo;
        return m;
    }

    /** True when the start line ends in CRLF, as RFC 3261 requires. */
    private static boolean crlf(byte[] b, int start) {
        int eol = lineEnd(b, start, b.length);
        return eol > start && b[eol - 1] == '\r';
    }

    private static SipMessage fail(SipMessage m, Malformation why, int end) {
        mark(m, why);
        m.end = end;
        m.bodyFrom = end;
        m.bodyTo = end;
        return m;
    }

    private static void mark(SipMessage m, Malformation why) {
        if (m.malformation == null) {
            m.malformation = why;
        }
    }

    /** Index of the '\n' ending the line at {@code from}, or -1. */
    private static int lineEnd(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int contentEnd(byte[] b, int from, int eol) {
        return eol > from && b[eol - 1] == '\r' ? eol - 1 : eol;
    }

    private static int trimEnd(byte[] b, int from, int to) {
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
            to--;
        }
        return to;
    }

    private static void startLine(SipMessage m, byte[] b, int from, int to) {
        int sp1 = indexOf(b, from, to, (byte) ' ');
        int sp2 = sp1 < 0 ? -1 : indexOf(b, sp1 + 1, to, (byte) ' ');
        if (isVersion(b, from, sp1 < 0 ? to : sp1)) {
            m.request = false;
            m.versionFrom = from;
            m.versionTo = sp1 < 0 ? to : sp1;
            int codeTo = sp2 < 0 ? to : sp2;
            if (sp1 < 0 || codeTo - sp1 - 1 != 3 || !digits(b, sp1 + 1, codeTo)) {
                mark(m, Malformation.START_LINE);
                return;
            }
            m.status = (b[sp1 + 1] - '0') * 100 + (b[sp1 + 2] - '0') * 10 + (b[sp1 + 3] - '0');
            m.reasonFrom = sp2 < 0 ? to : sp2 + 1;
            m.reasonTo = to;
            return;
        }
        m.request = true;
        if (sp1 <= from || sp2 < 0 || sp2 == sp1 + 1 || sp2 + 1 >= to || indexOf(b, sp2 + 1, to, (byte) ' ') >= 0
                || !token(b, from, sp1)) {
            mark(m, Malformation.START_LINE);
            m.methodFrom = from;
            m.methodTo = sp1 < 0 ? to : sp1;
            return;
        }
        m.methodFrom = from;
        m.methodTo = sp1;
        m.uriFrom = sp1 + 1;
        m.uriTo = sp2;
        m.versionFrom = sp2 + 1;
        m.versionTo = to;
    }

    private static boolean isVersion(byte[] b, int from, int to) {
        return to - from >= 4 && (b[from] | 0x20) == 's' && (b[from + 1] | 0x20) == 'i' && (b[from + 2] | 0x20) == 'p'
                && b[from + 3] == '/';
    }

    private static void header(SipMessage m, byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] != ':' && b[i] != ' ' && b[i] != '\t') {
            i++;
        }
        int nameTo = i;
        while (i < to && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        if (nameTo == from || i == to || b[i] != ':' || !token(b, from, nameTo)) {
            mark(m, Malformation.HEADER_LINE);
            return;
        }
        i++;
        while (i < to && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        m.addHeader(Header.of(b, from, nameTo), from, nameTo, i, trimEnd(b, i, to));
    }

    /** The Content-Length: -1 when absent, -2 when invalid or contradictory. */
    private static long contentLength(SipMessage m) {
        long found = -1;
        for (int h = 0; h < m.headerCount; h++) {
            if (m.kinds[h] != Header.CONTENT_LENGTH) {
                continue;
            }
            int from = m.spans[h * 4 + 2];
            int to = m.spans[h * 4 + 3];
            if (from == to || to - from > 9 || !digits(m.buf, from, to)) {
                return -2;
            }
            long v = 0;
            for (int i = from; i < to; i++) {
                v = v * 10 + (m.buf[i] - '0');
            }
            if (found >= 0 && found != v) {
                return -2;
            }
            found = v;
        }
        return found;
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean digits(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
        }
        return to > from;
    }

    /** True for 1 to {@code maxLength} ASCII digits. */
    public static boolean digits(String s, int maxLength) {
        if (s.isEmpty() || s.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** RFC 3261 token characters. */
    static boolean token(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isTokenChar(b[i])) {
                return false;
            }
        }
        return to > from;
    }

    static boolean isTokenChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '!' || c == '%' || c == '*' || c == '_' || c == '+' || c == '`' || c == '\'' || c == '~';
    }
}
