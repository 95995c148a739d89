package dev.d2r2.sip.mobility;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;

/**
 * The subscriber's side of a {@code server-mobility} subscription (docs/migration.md#the-server-mobility-event-package):
 * it makes the key the SUBSCRIBE carries ({@link #keyHeader}) and judges each NOTIFY of the
 * dialog: taken when its mac verifies and it is newer than the last one taken, a duplicate (a
 * retransmission) when it is that one again, refused as forged, stale, malformed or of another
 * dialog otherwise — each verdict with the answer to send and counted. For any user agent: a d2r2
 * UA, the CoSIP proxy, tests.
 */
public final class MobilityVerifier {
    /** What to do with a NOTIFY and what to answer it. */
    public enum Verdict {
        TAKEN(200, "OK"),
        DUPLICATE(200, "OK"),
        STALE(500, "Stale NOTIFY"),
        FORGED(403, "Forbidden"),
        MALFORMED(400, "Bad Mobility Body"),
        OTHER_DIALOG(481, "Subscription Does Not Exist");

        public final int status;
        public final String reason;

        Verdict(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }
    }

    /** A verdict; {@code notice} the NOTIFY's body when it could be read, else null. */
    public record Check(Verdict verdict, MobilityNotice notice) {
        /** The server's new {@code host:port} when the NOTIFY is to be followed, else null. */
        public String address() {
            if (verdict != Verdict.TAKEN) {
                return null;
            }
            String hostPort = notice.uri().substring(notice.uri().indexOf('@') + 1);
            int semi = hostPort.indexOf(';');
            return semi < 0 ? hostPort : hostPort.substring(0, semi);
        }
    }

    private final String callId;
    private final String tag;
    private final String keyText;
    private final byte[] key;
    private final Map<Verdict, Long> counts = new EnumMap<>(Verdict.class);
    private MobilityNotice last;

    /** For the dialog of Call-ID {@code callId} and the subscriber's From tag {@code tag}, with {@code keyText} (base64url). */
    public MobilityVerifier(String callId, String tag, String keyText) {
        this.callId = callId;
        this.tag = tag;
        this.keyText = keyText;
        this.key = MobilityNotice.key(keyText);
    }

    /** With a fresh key. */
    public static MobilityVerifier fresh(String callId, String tag, SecureRandom random) {
        return new MobilityVerifier(callId, tag, MobilityNotice.newKey(random));
    }

    /** The header line (no CRLF) the initial SUBSCRIBE carries. */
    public String keyHeader() {
        return MobilityNotice.KEY_HEADER + ": " + keyText;
    }

    public synchronized Check check(SipMessage notify) {
        Check c = judge(notify);
        counts.merge(c.verdict(), 1L, Long::sum);
        if (c.verdict() == Verdict.TAKEN) {
            last = c.notice();
        }
        return c;
    }

    private Check judge(SipMessage notify) {
        String to = notify.first(Header.TO);
        if (!callId.equals(notify.first(Header.CALL_ID)) || to == null || !tag.equals(Hop.param(to, "tag"))) {
            return new Check(Verdict.OTHER_DIALOG, null);
        }
        MobilityNotice n;
        try {
            n = MobilityNotice.parse(new String(notify.body(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return new Check(Verdict.MALFORMED, null);
        }
        if (!n.verifies(key, callId, tag)) {
            return new Check(Verdict.FORGED, n);
        }
        if (last == null || n.newerThan(last)) {
            return new Check(Verdict.TAKEN, n);
        }
        return new Check(n.equals(last) ? Verdict.DUPLICATE : Verdict.STALE, n);
    }

    /** The last notice taken, or null. */
    public synchronized MobilityNotice last() {
        return last;
    }

    /** NOTIFYs judged, by verdict. */
    public synchronized Map<Verdict, Long> counts() {
        return Map.copyOf(counts);
    }
}
