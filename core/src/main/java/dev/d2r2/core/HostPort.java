package dev.d2r2.core;

import java.net.InetSocketAddress;

/** {@code HOST:PORT} as given on command lines and in configs ({@code [::1]:7100} for IPv6). */
public final class HostPort {
    private HostPort() {
    }

    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("\"" + text + "\" is not HOST:PORT");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" has no numeric port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range in \"" + text + "\"");
        }
        return new InetSocketAddress(host, port);
    }
}
