package dev.d2r2.cosip;

import java.net.InetSocketAddress;

/** A user agent registered through the proxy: its AOR, where it is, until when. */
record Registration(String aor, InetSocketAddress ua, String uri, long expiresAt) {
}
