package dev.d2r2.sip.server;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.mobility.MobilityNotice;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code server-mobility} event package (RFC 6665; docs/migration.md#the-server-mobility-event-package)
 * of a {@link SipServer}: user agents SUBSCRIBE to learn where the server is, get a NOTIFY with its
 * address at once and another whenever it moved ({@link #notifyAll}). It decides the answer to a
 * SUBSCRIBE and writes NOTIFYs; the server sends them. Malformed SUBSCRIBEs are answered with the
 * 4xx that names the fault and counted by it. A NOTIFY's body is a {@link MobilityNotice}: this
 * server's {@link #epoch} and the NOTIFY's CSeq as its version, signed with the key the subscriber
 * gave in its initial SUBSCRIBE.
 */
final class MobilityPackage {
    static final String EVENT = "server-mobility";
    static final long DEFAULT_EXPIRES_S = 3600;
    static final long MAX_EXPIRES_S = 3600;
    static final long MIN_EXPIRES_S = 60;
    static final String CONTENT_TYPE = "text/plain";

    /** The answer to a SUBSCRIBE; {@code notified}: the subscription to NOTIFY after it, null for none. */
    /** A NOTIFY to send: its Via branch names its transaction. */
    record Notify(String branch, byte[] bytes) {
    }

    record Answer(int status, String reason, String header, Subscription notified, boolean terminated) {
        static Answer refusal(int status, String reason, String header) {
            return new Answer(status, reason, header, null, false);
        }
    }

    private final Map<String, Subscription> table = new ConcurrentHashMap<>();
    private final Counters counters;
    private final SecureRandom random = new SecureRandom();
    private volatile long epoch;

    /** {@code epoch}: when this server started (epoch ms), what orders its NOTIFYs before their versions. */
    MobilityPackage(Counters counters, long epoch) {
        this.counters = counters;
        this.epoch = epoch;
    }

    /** A subscription's key: its dialog, as the subscriber names it (Call-ID and From tag). */
    static String key(String callId, String fromTag) {
        return callId + "|" + fromTag;
    }

    Map<String, Subscription> table() {
        return table;
    }

    /**
     * Takes the subscriptions of a state whose epoch was {@code stateEpoch}: this server's epoch
     * becomes later than it, whatever the clocks of the two hosts say, so that its subscribers
     * take its NOTIFYs even when a restored snapshot's versions are behind the ones they saw.
     */
    void load(Map<String, Subscription> with, long stateEpoch) {
        table.keySet().retainAll(with.keySet());
        table.putAll(with);
        epoch = Math.max(epoch, stateEpoch + 1);
    }

    long epoch() {
        return epoch;
    }

    int size() {
        return table.size();
    }

    /** What to answer SUBSCRIBE {@code m} at {@code now} (epoch ms); {@code tag} is the server's To tag for it. */
    Answer subscribe(SipMessage m, String tag, String contact, long now) {
        String event = header(m, "Event", "o");
        String pkg = event == null ? null : token(event);
        if (!EVENT.equals(pkg)) {
            return refused("subscribe.bad_event", 489, "Bad Event", "Allow-Events: " + EVENT);
        }
        String expiresText = header(m, "Expires", null);
        if (expiresText != null && !SipParser.digits(expiresText.strip(), 9)) {
            return refused("subscribe.bad_expires", 400, "Bad Expires", null);
        }
        long asked = expiresText == null ? DEFAULT_EXPIRES_S : Long.parseLong(expiresText.strip());
        if (asked > 0 && asked < MIN_EXPIRES_S) {
            return refused("subscribe.too_brief", 423, "Interval Too Brief", "Min-Expires: " + MIN_EXPIRES_S);
        }
        String from = m.first(Header.FROM);
        String fromTag = from == null ? null : Hop.param(from, "tag");
        if (fromTag == null || fromTag.isEmpty()) {
            return refused("subscribe.bad_dialog", 400, "Missing From tag", null);
        }
        String signing = header(m, MobilityNotice.KEY_HEADER, null);
        if (signing != null) {
            try {
                MobilityNotice.key(signing);
            } catch (IllegalArgumentException e) {
                return refused("subscribe.bad_key", 400, "Bad Mobility-Key", null);
            }
        }
        String key = key(m.first(Header.CALL_ID), fromTag);
        boolean inDialog = m.first(Header.TO).contains(";tag=");
        Subscription known = table.get(key);
        if (inDialog && known == null) {
            return refused("subscribe.unknown", 481, "Subscription Does Not Exist", null);
        }
        String target = target(m);
        if (known == null && (target == null || Hop.ofUri(target) == null)) {
            return refused("subscribe.bad_dialog", 400, "Bad Contact", null);
        }
        long granted = Math.min(asked, MAX_EXPIRES_S);
        String header = "Expires: " + granted + "\r\n" + contact;
        if (granted == 0) {
            counters.count("unsubscribe");
            Subscription gone = known != null ? table.remove(key) : subscription(m, tag, target, event, signing, now);
            return new Answer(200, "OK", header, gone, true);
        }
        Subscription s = known != null ? known.expiring(now + granted * 1000)
                : subscription(m, tag, target, event, signing, now + granted * 1000);
        table.put(key, s);
        counters.count(known != null ? "subscribe.refresh" : "subscribe");
        return new Answer(200, "OK", header, s, false);
    }

    private Answer refused(String counter, int status, String reason, String header) {
        counters.count(counter);
        return Answer.refusal(status, reason, header);
    }

    /** A new subscription; a refresh keeps its key ({@code signing}, null for none): a key never changes. */
    private static Subscription subscription(SipMessage m, String tag, String target, String event, String signing, long expires) {
        String to = m.first(Header.TO);
        String server = to.contains(";tag=") ? to : to + ";tag=" + tag;
        return new Subscription(m.first(Header.CALL_ID), m.first(Header.FROM), server, target,
                semi(event) < 0 ? null : Hop.param(event.substring(semi(event)), "id"), 0, expires,
                signing == null ? null : signing.strip());
    }

    /**
     * The NOTIFY of {@code s} saying the server is at {@code address} ({@code host:port}), and
     * records its CSeq; {@code terminated} ends the subscription. Null when the subscription is gone.
     */
    Notify notify(Subscription s, String address, String contact, boolean terminated, long now) {
        Subscription numbered = terminated ? s.notified(s.cseq() + 1)
                : table.computeIfPresent(key(s.callId(), Hop.param(s.subscriber(), "tag")), (k, v) -> v.notified(v.cseq() + 1));
        if (numbered == null) {
            return null;
        }
        String state = terminated ? "terminated;reason=timeout"
                : "active;expires=" + Math.max(0, (numbered.expires() - now) / 1000);
        MobilityNotice notice = new MobilityNotice("sip:server@" + address, epoch, numbered.cseq(), null);
        String body = (numbered.key() == null ? notice
                : notice.signed(MobilityNotice.key(numbered.key()), numbered.callId(), Hop.param(numbered.subscriber(), "tag"))).body();
        String branch = "z9hG4bK" + Long.toHexString(random.nextLong() & Long.MAX_VALUE);
        String via = "SIP/2.0/UDP " + address + ";branch=" + branch;
        String text = "NOTIFY " + numbered.target() + " SIP/2.0\r\n"
                + "Via: " + via + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + numbered.server() + "\r\n"
                + "To: " + numbered.subscriber() + "\r\n"
                + "Call-ID: " + numbered.callId() + "\r\n"
                + "CSeq: " + numbered.cseq() + " NOTIFY\r\n"
                + contact + "\r\n"
                + "Event: " + EVENT + (numbered.eventId() != null ? ";id=" + numbered.eventId() : "") + "\r\n"
                + "Subscription-State: " + state + "\r\n"
                + "Content-Type: " + CONTENT_TYPE + "\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        counters.count("notify.sent");
        return new Notify(branch, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Drops subscription {@code key} (see {@link #key}): its subscriber never answered a NOTIFY. */
    void forget(String key) {
        table.remove(key);
    }

    /** The subscriptions not expired at {@code now}, after dropping those that are. */
    List<Subscription> live(long now) {
        sweep(now);
        return new ArrayList<>(table.values());
    }

    /** Drops the subscriptions expired at {@code now} (the subscriber did not refresh them). */
    void sweep(long now) {
        table.values().removeIf(s -> {
            boolean expired = s.expires() <= now;
            if (expired) {
                counters.count("subscriptions.expired");
            }
            return expired;
        });
    }

    /**
     * A subscriber's answer to a NOTIFY: a 2xx is counted; a final error ends the subscription (RFC
     * 6665 §4.1.3: 481 says the subscriber forgot it, others that it does not want it).
     */
    void answered(SipMessage response) {
        if (response.status() < 200) {
            return;
        }
        if (response.status() < 300) {
            counters.count("notify.ok");
            return;
        }
        counters.count("notify.refused");
        String to = response.first(Header.TO);
        String tag = to == null ? null : Hop.param(to, "tag");
        if (tag != null) {
            table.remove(key(response.first(Header.CALL_ID), tag));
        }
    }

    /** The event package's name, before its parameters. */
    private static String token(String event) {
        int semi = semi(event);
        return (semi < 0 ? event : event.substring(0, semi)).strip();
    }

    private static int semi(String event) {
        return event.indexOf(';');
    }

    /** The subscriber's Contact URI, without its angle brackets and header parameters. */
    private static String target(SipMessage m) {
        String contact = m.first(Header.CONTACT);
        if (contact == null) {
            return null;
        }
        String inside = Hop.bracketed(contact);
        if (inside != null) {
            return inside;
        }
        int semi = contact.indexOf(';');
        return (semi < 0 ? contact : contact.substring(0, semi)).strip();
    }

    /** The first value of a header the codec does not name, by its name or compact form, or null. */
    private static String header(SipMessage m, String name, String compact) {
        for (int i = 0; i < m.headerCount(); i++) {
            if (m.kind(i) == Header.OTHER && (m.name(i).equalsIgnoreCase(name) || compact != null && m.name(i).equalsIgnoreCase(compact))) {
                return m.value(i);
            }
        }
        return null;
    }
}
