package dev.d2r2.sip.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes messages for the edge into a reused buffer, copying the original bytes span by span:
 * a forwarded request with the edge's Via (and Record-Route) on top, Max-Forwards counted down
 * and the edge's own Route entry taken off; a forwarded response without the edge's Via; a
 * stateless answer to a request. Line ends are always CRLF.
 */
public final class SipWriter {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] COLON = {':', ' '};
    private static final byte[] VIA = "Via".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORD_ROUTE = "Record-Route".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAX_FORWARDS = "Max-Forwards: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);

    private SipWriter() {
    }

    public static void request(SipMessage m, ByteBuffer out, byte[] via, byte[] recordRoute, int dropRoute, int maxForwards) {
        request(m, out, via, via.length, recordRoute, recordRoute == null ? -1 : recordRoute.length, dropRoute, maxForwards);
    }

    /**
     * @param via                the edge's Via value, its first {@code viaLength} bytes
     * @param recordRoute        the edge's Record-Route value, its first {@code recordRouteLength} bytes (-1: none)
     * @param dropRoute          the header index whose first entry is the edge's own Route, or -1
     * @param maxForwards        the new Max-Forwards
     */
    public static void request(SipMessage m, ByteBuffer out, byte[] via, int viaLength, byte[] recordRoute,
                               int recordRouteLength, int dropRoute, int maxForwards) {
        out.clear();
        startLine(m, out);
        header(out, VIA, via, viaLength);
        if (recordRouteLength >= 0) {
            header(out, RECORD_ROUTE, recordRoute, recordRouteLength);
        }
        boolean wroteMaxForwards = false;
        for (int i = 0; i < m.headerCount; i++) {
            Header kind = m.kinds[i];
            if (kind == Header.MAX_FORWARDS) {
                if (!wroteMaxForwards) {
                    maxForwards(out, maxForwards);
                    wroteMaxForwards = true;
                }
            } else if (i == dropRoute) {
                copyWithoutFirstEntry(m, i, out);
            } else if (kind != Header.CONTENT_LENGTH) {
                copyHeader(m, i, out);
            }
        }
        if (!wroteMaxForwards) {
            maxForwards(out, maxForwards);
        }
        body(m, out);
    }

    /** The response without its first Via entry (the edge's). */
    public static void response(SipMessage m, ByteBuffer out) {
        out.clear();
        startLine(m, out);
        boolean first = true;
        for (int i = 0; i < m.headerCount; i++) {
            Header kind = m.kinds[i];
            if (kind == Header.VIA && first) {
                copyWithoutFirstEntry(m, i, out);
                first = false;
            } else if (kind != Header.CONTENT_LENGTH) {
                copyHeader(m, i, out);
            }
        }
        body(m, out);
    }

    /** A stateless answer to request {@code m}: its Via, From, To (with {@code toTag} when it has none), Call-ID, CSeq. */
    public static void answer(SipMessage m, ByteBuffer out, int status, String reason, String toTag, String extraHeader) {
        out.clear();
        out.put(("SIP/2.0 " + status + " " + reason).getBytes(StandardCharsets.UTF_8));
        out.put(CRLF);
        for (int i = 0; i < m.headerCount; i++) {
            Header kind = m.kinds[i];
            if (kind == Header.VIA || kind == Header.FROM || kind == Header.CALL_ID || kind == Header.CSEQ) {
                copyHeader(m, i, out);
            } else if (kind == Header.TO) {
                int valueFrom = m.spans[i * 4 + 2];
                int valueTo = m.spans[i * 4 + 3];
                out.put("To: ".getBytes(StandardCharsets.US_ASCII));
                out.put(m.buf, valueFrom, valueTo - valueFrom);
                if (toTag != null && m.value(i).indexOf(";tag=") < 0) {
                    out.put((";tag=" + toTag).getBytes(StandardCharsets.US_ASCII));
                }
                out.put(CRLF);
            }
        }
        if (extraHeader != null) {
            out.put(extraHeader.getBytes(StandardCharsets.UTF_8));
            out.put(CRLF);
        }
        out.put("Content-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static void startLine(SipMessage m, ByteBuffer out) {
        int from = m.start;
        int to = from;
        while (m.buf[to] != '\n') {
            to++;
        }
        out.put(m.buf, from, (m.buf[to - 1] == '\r' ? to - 1 : to) - from);
        out.put(CRLF);
    }

    private static void header(ByteBuffer out, byte[] name, byte[] value, int length) {
        out.put(name);
        out.put(COLON);
        out.put(value, 0, length);
        out.put(CRLF);
    }

    private static void maxForwards(ByteBuffer out, int n) {
        out.put(MAX_FORWARDS);
        decimal(out, n);
        out.put(CRLF);
    }

    /** {@code n} (non-negative) in decimal, without making a string. */
    private static void decimal(ByteBuffer out, int n) {
        if (n >= 10) {
            decimal(out, n / 10);
        }
        out.put((byte) ('0' + n % 10));
    }

    private static void copyHeader(SipMessage m, int i, ByteBuffer out) {
        int at = i * 4;
        out.put(m.buf, m.spans[at], m.spans[at + 1] - m.spans[at]);
        out.put(COLON);
        out.put(m.buf, m.spans[at + 2], m.spans[at + 3] - m.spans[at + 2]);
        out.put(CRLF);
    }

    /** Header {@code i} without its first comma-separated entry; nothing when that was the only one. */
    private static void copyWithoutFirstEntry(SipMessage m, int i, ByteBuffer out) {
        int at = i * 4;
        int from = m.spans[at + 2];
        int to = m.spans[at + 3];
        int comma = Nesting.topLevel(m.buf, from, to, ',');
        if (comma < 0) {
            return;
        }
        int rest = comma + 1;
        while (rest < to && (m.buf[rest] == ' ' || m.buf[rest] == '\t' || m.buf[rest] == '\r' || m.buf[rest] == '\n')) {
            rest++;
        }
        out.put(m.buf, m.spans[at], m.spans[at + 1] - m.spans[at]);
        out.put(COLON);
        out.put(m.buf, rest, to - rest);
        out.put(CRLF);
    }

    private static void body(SipMessage m, ByteBuffer out) {
        out.put(CONTENT_LENGTH);
        decimal(out, m.bodyLength());
        out.put(CRLF);
        out.put(CRLF);
        out.put(m.buf, m.bodyFrom, m.bodyLength());
    }
}
