package dev.d2r2.cosip;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Mutual authentication of calls set up through the DHT: the caller's proxy signs its INVITE, the
 * callee's proxy signs its answers, each with its d2r2 identity, in an {@code X-CoSIP-Auth:
 * ts=<ms>;sig=<base64url>} header. The signature covers what a forger would change — the method
 * or status, Call-ID, CSeq, From, To, the Contact that in-dialog requests will follow, the body
 * (the SDP that says where media goes) and the time; the receiver checks it with the key the
 * {@link Roster} names for the From AOR (requests) or the To AOR (responses), and refuses a time
 * more than {@code window} from its own.
 */
final class CallSigner {
    static final String HEADER = "X-CoSIP-Auth";
    private static final byte[] DOMAIN = "d2r2-cosip-call-v1\n".getBytes(StandardCharsets.US_ASCII);

    enum Verdict { OK, UNSIGNED, UNKNOWN_AOR, STALE, BAD_SIGNATURE }

    private final Identity self;
    private final Roster roster;
    private final String domain;
    private final long windowMillis;

    CallSigner(Identity self, Roster roster, String domain, long windowMillis) {
        this.self = self;
        this.roster = roster;
        this.domain = domain;
        this.windowMillis = windowMillis;
    }

    /** The header value for {@code m} as it will be sent with {@code contact} (null: the message's own). */
    String sign(SipMessage m, String contact, long now) {
        byte[] sig = self.sign(signed(m, contact, now));
        return "ts=" + now + ";sig=" + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }

    /** Checks the signature with the key the roster names for the From (requests) or To (responses) AOR. */
    Verdict verify(SipMessage m, long now) {
        return verify(m, now, roster.keyOf(Aor.of(m.first(m.isRequest() ? Header.FROM : Header.TO), domain)));
    }

    /** Checks the signature with {@code key} (null: nobody speaks for the AOR). */
    Verdict verify(SipMessage m, long now, byte[] key) {
        String value = header(m);
        if (value == null) {
            return Verdict.UNSIGNED;
        }
        if (key == null) {
            return Verdict.UNKNOWN_AOR;
        }
        String ts = Hop.param(";" + value, "ts");
        String sig = Hop.param(";" + value, "sig");
        long time;
        byte[] signature;
        try {
            time = Long.parseLong(ts);
            signature = Base64.getUrlDecoder().decode(sig);
        } catch (NullPointerException | IllegalArgumentException e) {
            return Verdict.BAD_SIGNATURE;
        }
        if (Math.abs(now - time) > windowMillis) {
            return Verdict.STALE;
        }
        return Identity.verify(key, signed(m, null, time), signature) ? Verdict.OK : Verdict.BAD_SIGNATURE;
    }

    static String header(SipMessage m) {
        return SipOut.header(m, HEADER);
    }

    private static byte[] signed(SipMessage m, String contact, long time) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + m.bodyLength());
        out.writeBytes(DOMAIN);
        line(out, m.isRequest() ? m.method() : Integer.toString(m.status()));
        line(out, m.first(Header.CALL_ID));
        line(out, m.first(Header.CSEQ));
        line(out, m.first(Header.FROM));
        line(out, m.first(Header.TO));
        line(out, contact != null ? contact : m.first(Header.CONTACT));
        line(out, Long.toString(time));
        out.writeBytes(m.body());
        return out.toByteArray();
    }

    private static void line(ByteArrayOutputStream out, String s) {
        out.writeBytes((s == null ? "" : s.strip()).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }
}
