package dev.d2r2.sip.edge;

import dev.d2r2.core.Cidr;

import java.net.InetSocketAddress;

/**
 * A backend's address as the API and the broker's commands give it: {@code IP:PORT} or
 * {@code [IPv6]:PORT}, port 5060 when left out. An address, never a name: adding a backend
 * makes no DNS lookup, and a name that resolves elsewhere tomorrow cannot become a backend.
 */
public final class BackendAddress {
    public static final int DEFAULT_PORT = 5060;
    private static final int MAX_LENGTH = 64;

    private BackendAddress() {
    }

    /** The address; the exception says what is wrong with {@code text}. */
    public static InetSocketAddress parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH || !text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("a backend address is IP:PORT or [IPv6]:PORT, at most " + MAX_LENGTH + " characters");
        }
        boolean bracketed = text.startsWith("[");
        String host;
        String port = Integer.toString(DEFAULT_PORT);
        if (bracketed) {
            int close = text.indexOf(']');
            host = close < 0 ? "" : text.substring(1, close);
            String after = close < 0 ? "" : text.substring(close + 1);
            if (after.startsWith(":")) {
                port = after.substring(1);
            } else if (!after.isEmpty()) {
                host = "";
            }
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? port : text.substring(colon + 1);
        }
        int p = !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9') ? Integer.parseInt(port) : -1;
        Cidr a = null;
        try {
            a = Cidr.parse(host);
        } catch (IllegalArgumentException e) {
            // answered below, like a port out of range
        }
        if (a == null || !a.isAddress() || a.isIpv4() == bracketed || p < 1 || p > 65535) {
            throw new IllegalArgumentException("a backend address is IP:PORT or [IPv6]:PORT, not \"" + text + "\"");
        }
        return new InetSocketAddress(a.address(), p);
    }
}
