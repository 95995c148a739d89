package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;
import java.util.Locale;

/**
 * What keeps related requests on one backend: the key hashed over the backends for a new dialog
 * (and for in-dialog requests that come without the edge's Route), or the least loaded backend.
 */
public enum Affinity {
    /** One dialog, one backend. */
    CALL_ID,
    /** All calls of a caller on one backend. */
    FROM_USER,
    /** All requests for a user — its REGISTER and the INVITEs to it — on one backend. */
    RURI_USER,
    /** The backend with the fewest active dialogs for its weight. */
    LEAST_DIALOGS;

    public static Affinity parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("affinity must be call-id, from-user, ruri-user or least-dialogs, not " + text);
        }
    }

    /** The text hashed for {@code m}: the Call-ID when the chosen part is missing. */
    String key(SipMessage m) {
        String user = switch (this) {
            case FROM_USER -> user(m.first(Header.FROM));
            case RURI_USER -> m.isRequest() ? user(m.requestUri()) : null;
            default -> null;
        };
        return user != null ? user : m.first(Header.CALL_ID);
    }

    /** The user part of a URI or name-addr, or null. */
    static String user(String uriOrAddress) {
        if (uriOrAddress == null) {
            return null;
        }
        String aor = Hop.aor(uriOrAddress);
        int at = aor.indexOf('@');
        return at <= 0 ? null : aor.substring(0, at);
    }
}
