package dev.d2r2.cosip;

import dev.d2r2.sip.codec.Hop;

/**
 * Addresses of record as CoSIP keys them: {@code sip:user@domain}, the user part of a URI (or a
 * From/To value) at the provider's domain. Only the user part is taken from the message: user
 * agents address each other by whatever host they were pointed at (SIPp writes the proxy's
 * address), while the roster and the DHT know one provider domain.
 */
final class Aor {
    private Aor() {
    }

    /** The AOR of a URI, name-addr or header value, or null when it has no user part. */
    static String of(String uriOrHeader, String domain) {
        String userAtHost = Hop.aor(uriOrHeader);
        int at = userAtHost.indexOf('@');
        if (at <= 0) {
            return null;
        }
        return "sip:" + userAtHost.substring(0, at) + "@" + domain;
    }

    /** The user part of an AOR. */
    static String user(String aor) {
        return aor.substring(4, aor.indexOf('@'));
    }
}
