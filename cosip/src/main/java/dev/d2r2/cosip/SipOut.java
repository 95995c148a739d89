package dev.d2r2.cosip;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.SipMessage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a message on its way through a CoSIP proxy into a reused buffer: a request with the
 * proxy's Via on top, a new Request-URI, Max-Forwards counted down; a response without the top
 * Via; both with the Contact pointing at the proxy (so that in-dialog requests come through it)
 * and the proxy's {@link CallSigner} header, any incoming one removed. A CoSIP proxy serves its
 * own users' few calls, so the header text is made as strings rather than copied span by span as
 * the edge's {@code SipWriter} does.
 */
final class SipOut {
    private SipOut() {
    }

    static void request(SipMessage m, ByteBuffer out, String requestUri, String via, int maxForwards, String contact, String extra) {
        out.clear();
        put(out, m.method() + " " + requestUri + " SIP/2.0");
        put(out, "Via: " + via);
        boolean wroteMaxForwards = false;
        for (int i = 0; i < m.headerCount(); i++) {
            Header kind = m.kind(i);
            if (kind == Header.MAX_FORWARDS) {
                if (!wroteMaxForwards) {
                    put(out, "Max-Forwards: " + maxForwards);
                    wroteMaxForwards = true;
                }
            } else {
                copy(m, i, out, contact);
            }
        }
        if (!wroteMaxForwards) {
            put(out, "Max-Forwards: " + maxForwards);
        }
        end(m, out, contact, extra);
    }

    static void response(SipMessage m, ByteBuffer out, String contact, String extra) {
        out.clear();
        put(out, "SIP/2.0 " + m.status() + " " + m.reason());
        boolean first = true;
        for (int i = 0; i < m.headerCount(); i++) {
            if (m.kind(i) == Header.VIA && first) {
                first = false;
                List<String> entries = new ArrayList<>();
                SipMessage.splitList(m.value(i), entries);
                if (entries.size() > 1) {
                    put(out, "Via: " + String.join(", ", entries.subList(1, entries.size())));
                }
            } else {
                copy(m, i, out, contact);
            }
        }
        end(m, out, contact, extra);
    }

    /** The first value of an extension header, or null. */
    static String header(SipMessage m, String name) {
        for (int i = 0; i < m.headerCount(); i++) {
            if (m.kind(i) == Header.OTHER && m.name(i).equalsIgnoreCase(name)) {
                return m.value(i);
            }
        }
        return null;
    }

    /** A request of the proxy's own (probe, re-registration), without a body; null lines are left out. */
    static void own(ByteBuffer out, String... lines) {
        out.clear();
        for (String line : lines) {
            if (line != null) {
                put(out, line);
            }
        }
        put(out, "Content-Length: 0");
        put(out, "");
        out.flip();
    }

    /** Header {@code i} unless it is one the proxy rewrites (Contact, Content-Length, the signature, the credential's). */
    private static void copy(SipMessage m, int i, ByteBuffer out, String contact) {
        Header kind = m.kind(i);
        if (kind == Header.CONTENT_LENGTH || (kind == Header.CONTACT && contact != null)
                || (kind == Header.OTHER && isCosip(m.name(i)))) {
            return;
        }
        put(out, m.name(i) + ": " + m.value(i));
    }

    private static boolean isCosip(String name) {
        return name.equalsIgnoreCase(CallSigner.HEADER) || name.equalsIgnoreCase(Credential.HEADER) || name.equalsIgnoreCase(Credential.KEY_HEADER);
    }

    private static void end(SipMessage m, ByteBuffer out, String contact, String extra) {
        if (contact != null) {
            put(out, "Contact: " + contact);
        }
        if (extra != null) {
            put(out, extra);
        }
        put(out, "Content-Length: " + m.bodyLength());
        put(out, "");
        out.put(m.body());
        out.flip();
    }

    private static void put(ByteBuffer out, String line) {
        out.put(line.getBytes(StandardCharsets.UTF_8));
        out.put((byte) '\r').put((byte) '\n');
    }
}
