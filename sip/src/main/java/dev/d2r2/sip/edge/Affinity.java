package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.core.Rendezvous;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.Span;
import dev.d2r2.sip.codec.SipMessage;
import java.nio.charset.StandardCharsets;
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

    private static final byte[][] SCHEMES = {"sip:".getBytes(StandardCharsets.US_ASCII), "sips:".getBytes(StandardCharsets.US_ASCII),
            "tel:".getBytes(StandardCharsets.US_ASCII)};

    /**
     * The hash of the key of {@code m} ({@link Rendezvous#hash} of its bytes, read in place): the
     * user part of the From or the Request-URI, else, or when that part is missing, the Call-ID.
     */
    long hash(SipMessage m) {
        byte[] b = m.bytes();
        long user = Span.NONE;
        if (this == FROM_USER) {
            int line = m.index(Header.FROM);
            user = line < 0 ? Span.NONE : user(b, m.valueFrom(line), m.valueTo(line));
        } else if (this == RURI_USER && m.isRequest()) {
            long uri = m.requestUriSpan();
            user = user(b, Span.from(uri), Span.to(uri));
        }
        if (user != Span.NONE) {
            return Rendezvous.hash(b, Span.from(user), Span.to(user));
        }
        int line = m.index(Header.CALL_ID);
        return line < 0 ? Rendezvous.hash(b, 0, 0)
                : Rendezvous.hash(b, Span.trimStart(b, m.valueFrom(line), m.valueTo(line)), Span.trimEnd(b, m.valueFrom(line), m.valueTo(line)));
    }

    /** The user part of a URI or name-addr in {@code b[from, to)} as {@link Hop#aor} reads it, or {@link Span#NONE}. */
    static long user(byte[] b, int from, int to) {
        long inside = Span.bracketed(b, from, to);
        int f;
        int t;
        if (inside != Span.NONE) {
            f = Span.from(inside);
            t = Span.to(inside);
        } else {
            int semi = Span.indexOf(b, from, to, ';');
            f = Span.trimStart(b, from, semi < 0 ? to : semi);
            t = Span.trimEnd(b, f, semi < 0 ? to : semi);
        }
        for (byte[] scheme : SCHEMES) {
            if (Span.startsWith(b, f, t, scheme)) {
                f += scheme.length;
                break;
            }
        }
        int semi = Span.indexOf(b, f, t, ';');
        int at = Span.indexOf(b, f, semi < 0 ? t : semi, '@');
        return at <= f ? Span.NONE : Span.of(f, at);
    }
}
