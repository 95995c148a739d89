package dev.d2r2.sip.codec;

/** The headers the edge reads, with their compact forms (RFC 3261 §7.3.3); everything else is {@link #OTHER}. */
public enum Header {
    VIA("Via", 'v'), FROM("From", 'f'), TO("To", 't'), CALL_ID("Call-ID", 'i'), CSEQ("CSeq", (char) 0),
    MAX_FORWARDS("Max-Forwards", (char) 0), CONTENT_LENGTH("Content-Length", 'l'), CONTENT_TYPE("Content-Type", 'c'),
    CONTACT("Contact", 'm'), ROUTE("Route", (char) 0), RECORD_ROUTE("Record-Route", (char) 0),
    REQUIRE("Require", (char) 0), PROXY_REQUIRE("Proxy-Require", (char) 0), SUPPORTED("Supported", 'k'),
    OTHER("", (char) 0);

    private static final Header[] KNOWN = values();
    static final int COUNT = KNOWN.length;
    private final String name;
    private final byte[] lower;
    private final char compact;

    Header(String name, char compact) {
        this.name = name;
        this.lower = name.toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        this.compact = compact;
    }

    public String canonical() {
        return name;
    }

    /** The header named by {@code buf[from, to)}, matched without case and by compact form; no allocation. */
    static Header of(byte[] buf, int from, int to) {
        int n = to - from;
        if (n == 1) {
            char c = (char) (buf[from] | 0x20);
            for (Header h : KNOWN) {
                if (h.compact == c) {
                    return h;
                }
            }
            return OTHER;
        }
        for (Header h : KNOWN) {
            if (h.lower.length == n && equalsIgnoreCase(buf, from, h.lower)) {
                return h;
            }
        }
        return OTHER;
    }

    private static boolean equalsIgnoreCase(byte[] buf, int from, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            int b = buf[from + i];
            if (b >= 'A' && b <= 'Z') {
                b |= 0x20;
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }
}
