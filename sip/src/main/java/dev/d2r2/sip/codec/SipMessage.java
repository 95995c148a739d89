package dev.d2r2.sip.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A SIP message as offsets into the bytes it was read from: the start line is split at parse
 * time, headers are located (name, value, which {@link Header}) but not parsed, the body is
 * framed. Text is made only when asked for. The bytes must not change while the message is used.
 */
public final class SipMessage {
    private static final int FIELDS = 4;

    byte[] buf;
    int start;
    int end;
    boolean request;
    int methodFrom;
    int methodTo;
    int uriFrom;
    int uriTo;
    int versionFrom;
    int versionTo;
    int status;
    int reasonFrom;
    int reasonTo;
    int headerCount;
    int[] spans = new int[16 * FIELDS];
    Header[] kinds = new Header[16];
    int bodyFrom;
    int bodyTo;
    Malformation malformation;
    /** Values already made, by {@link Header} ordinal: a message is read many times on its way through. */
    private final String[] firsts = new String[Header.COUNT];
    @SuppressWarnings("unchecked")
    private final List<String>[] lists = new List[Header.COUNT];
    private Entries entries;
    private ByteChars valueChars;
    private ByteChars uriChars;

    SipMessage(byte[] buf, int start) {
        this.buf = buf;
        this.start = start;
    }

    /** An empty message for {@link SipParser#datagram(SipMessage, byte[], int, int)} to parse into, again and again. */
    public SipMessage() {
        this(null, 0);
    }

    /** Forgets the last message parsed into this one, keeping its arrays. */
    void reset(byte[] buf, int start) {
        this.buf = buf;
        this.start = start;
        end = 0;
        request = false;
        methodFrom = methodTo = uriFrom = uriTo = versionFrom = versionTo = 0;
        status = 0;
        reasonFrom = reasonTo = 0;
        headerCount = 0;
        bodyFrom = bodyTo = 0;
        malformation = null;
        java.util.Arrays.fill(firsts, null);
        java.util.Arrays.fill(lists, null);
    }

    void addHeader(Header kind, int nameFrom, int nameTo, int valueFrom, int valueTo) {
        if (headerCount == kinds.length) {
            spans = java.util.Arrays.copyOf(spans, spans.length * 2);
            kinds = java.util.Arrays.copyOf(kinds, kinds.length * 2);
        }
        int at = headerCount * FIELDS;
        spans[at] = nameFrom;
        spans[at + 1] = nameTo;
        spans[at + 2] = valueFrom;
        spans[at + 3] = valueTo;
        kinds[headerCount++] = kind;
    }

    void extendLastValue(int valueTo) {
        spans[(headerCount - 1) * FIELDS + 3] = valueTo;
    }

    public boolean isRequest() {
        return request;
    }

    /** Why the message is not well framed, or null. A request that carries it can still be answered with 400. */
    public Malformation malformation() {
        return malformation;
    }

    public String method() {
        return text(methodFrom, methodTo);
    }

    /** True when the method is {@code name} (case-sensitive, as RFC 3261 says), without making a string. */
    public boolean methodIs(String name) {
        if (methodTo - methodFrom != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (buf[methodFrom + i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** True when the method is {@code s[from, to)}, without making a string. */
    public boolean methodIs(CharSequence s, int from, int to) {
        if (methodTo - methodFrom != to - from) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (buf[methodFrom + i - from] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    public String requestUri() {
        return text(uriFrom, uriTo);
    }

    public String version() {
        return text(versionFrom, versionTo);
    }

    public int status() {
        return status;
    }

    public String reason() {
        return text(reasonFrom, reasonTo);
    }

    public int headerCount() {
        return headerCount;
    }

    public Header kind(int i) {
        return kinds[i];
    }

    public String name(int i) {
        return text(spans[i * FIELDS], spans[i * FIELDS + 1]);
    }

    /** The value of header {@code i} as written, folded lines joined by one space. */
    public String value(int i) {
        return unfold(spans[i * FIELDS + 2], spans[i * FIELDS + 3]);
    }

    /** The bytes the message was read from: with {@link #index}, {@link #valueFrom} and {@link #valueTo}, values are read in place. */
    public byte[] bytes() {
        return buf;
    }

    /** The index of the first header line of {@code h}, or -1. */
    public int index(Header h) {
        for (int i = 0; i < headerCount; i++) {
            if (kinds[i] == h) {
                return i;
            }
        }
        return -1;
    }

    /** Where the value of header {@code i} starts in {@link #bytes()}. */
    public int valueFrom(int i) {
        return spans[i * FIELDS + 2];
    }

    /** Where the value of header {@code i} ends in {@link #bytes()} (folded lines within it as written). */
    public int valueTo(int i) {
        return spans[i * FIELDS + 3];
    }

    /** The Request-URI in {@link #bytes()}, as a {@link Span}. */
    public long requestUriSpan() {
        return Span.of(uriFrom, uriTo);
    }

    /** The entries of {@code h} as {@link #all} splits them, read in place (see {@link Entries}). */
    Entries entries(Header h) {
        if (entries == null) {
            entries = new Entries();
        }
        return entries.of(this, h);
    }

    /** The first value of {@code h} as {@link #first} gives it, read in place and valid until the next call; null when absent. */
    CharSequence firstChars(Header h) {
        int i = index(h);
        if (i < 0) {
            return null;
        }
        if (ByteChars.folded(buf, valueFrom(i), valueTo(i))) {
            return first(h);
        }
        if (valueChars == null) {
            valueChars = new ByteChars();
        }
        return valueChars.set(buf, valueFrom(i), valueTo(i));
    }

    /** The Request-URI as {@link #requestUri} gives it, read in place. */
    CharSequence requestUriChars() {
        if (uriChars == null) {
            uriChars = new ByteChars();
        }
        return uriChars.set(buf, uriFrom, uriTo);
    }

    /** True when the version is {@code v}, ignoring case, without making a string. */
    boolean versionIs(String v) {
        if (versionTo - versionFrom != v.length()) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            int c = buf[versionFrom + i];
            int w = v.charAt(i);
            if (c != w && Character.toLowerCase(c) != Character.toLowerCase(w)) {
                return false;
            }
        }
        return true;
    }

    /** How many times {@code h} appears (as separate header lines). */
    public int count(Header h) {
        int n = 0;
        for (int i = 0; i < headerCount; i++) {
            if (kinds[i] == h) {
                n++;
            }
        }
        return n;
    }

    /** The first value of {@code h}, or null. */
    public String first(Header h) {
        String known = firsts[h.ordinal()];
        if (known != null || h == Header.OTHER) {
            return known;
        }
        for (int i = 0; i < headerCount; i++) {
            if (kinds[i] == h) {
                return firsts[h.ordinal()] = value(i);
            }
        }
        return null;
    }

    /** Every value of {@code h}, header lines in order, each line split at commas outside quotes and angle brackets. */
    public List<String> all(Header h) {
        List<String> known = lists[h.ordinal()];
        if (known != null && h != Header.OTHER) {
            return known;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < headerCount; i++) {
            if (kinds[i] == h) {
                splitList(out.isEmpty() && h != Header.OTHER ? first(h) : value(i), out);
            }
        }
        List<String> fixed = java.util.Collections.unmodifiableList(out);
        lists[h.ordinal()] = fixed;
        return fixed;
    }

    public static void splitList(String v, List<String> out) {
        int from = 0;
        for (int comma = Nesting.topLevel(v, 0, ','); comma >= 0; comma = Nesting.topLevel(v, from, ',')) {
            out.add(v.substring(from, comma).strip());
            from = comma + 1;
        }
        out.add(v.substring(from).strip());
    }

    public int bodyLength() {
        return bodyTo - bodyFrom;
    }

    public byte[] body() {
        return java.util.Arrays.copyOfRange(buf, bodyFrom, bodyTo);
    }

    /** Where the message ends in the buffer: the next message on a stream starts here. */
    public int end() {
        return end;
    }

    private String text(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.UTF_8);
    }

    private String unfold(int from, int to) {
        StringBuilder sb = null;
        int run = from;
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b == '\r' || b == '\n') {
                sb = sb == null ? new StringBuilder(to - from) : sb;
                sb.append(new String(buf, run, i - run, StandardCharsets.UTF_8).stripTrailing()).append(' ');
                while (i + 1 < to && (buf[i + 1] == '\r' || buf[i + 1] == '\n' || buf[i + 1] == ' ' || buf[i + 1] == '\t')) {
                    i++;
                }
                run = i + 1;
            }
        }
        if (sb == null) {
            return text(from, to);
        }
        return sb.append(new String(buf, run, to - run, StandardCharsets.UTF_8)).toString();
    }
}
