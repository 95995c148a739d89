package dev.d2r2.migrate.classify;

import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Judges a SIP registrar's answers, to tell a server that answers wrongly (Byzantine) from one
 * that answers right, late or not at all; no sockets, no clock. Each probe is a REGISTER of the
 * judge's own address of record with a Contact made for that probe alone (its number and the
 * judge's nonce), so the right 200 can only be the one that answers this REGISTER: the same
 * Call-ID, CSeq, Via branch and From tag, the address of record in To, and the probe's own
 * Contact among the bindings with an expiry above zero (RFC 3261 §10.3 step 8). A malformed
 * answer is wrong too. An answer of another Call-ID is not this probe's (a late one, a
 * stranger's) and a provisional one is not final: neither is judged. A final error (4xx to
 * 6xx) is an honest refusal, not a wrong answer.
 */
public final class AnswerJudge {
    private static final int EXPIRES_S = 60;

    /** One REGISTER sent, and what its answer must echo. */
    public record Probe(long seq, String callId, String branch, String tag, String contact, byte[] bytes) {
    }

    /** The verdict on an answer: {@code why} is empty when it is right. */
    public record Judgement(Verdict verdict, int status, String why) {
    }

    public enum Verdict { right, wrong, refused, lost }

    private final String aor;
    private final String nonce;

    /** @param aor the judge's address of record, {@code user@domain}; {@code nonce} tells this judge's probes apart */
    public AnswerJudge(String aor, String nonce) {
        if (!aor.matches("[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+")) {
            throw new IllegalArgumentException("the judge's address of record must be user@domain, not " + aor);
        }
        this.aor = aor;
        this.nonce = nonce;
    }

    public Probe register(long seq, InetSocketAddress local, InetSocketAddress server) {
        String host = local.getAddress().getHostAddress() + ":" + local.getPort();
        String callId = "judge-" + seq + "-" + nonce;
        String branch = "z9hG4bK-judge-" + seq + "-" + nonce;
        String tag = "judge-" + nonce;
        String contact = "sip:judge-" + seq + "-" + nonce + "@" + host;
        String text = "REGISTER sip:" + aor.substring(aor.indexOf('@') + 1) + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ";branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + aor + ">;tag=" + tag + "\r\n"
                + "To: <sip:" + aor + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + seq + " REGISTER\r\n"
                + "Contact: <" + contact + ">;expires=" + EXPIRES_S + "\r\n"
                + "Content-Length: 0\r\n\r\n";
        return new Probe(seq, callId, branch, tag, contact, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** The judgement of {@code answer} to {@code probe}; empty when it is not a final answer to it. */
    public Optional<Judgement> judge(Probe probe, SipMessage answer) {
        if (answer.malformation() != null) {
            return wrong(0, "malformed answer: " + answer.malformation());
        }
        if (answer.isRequest() || !probe.callId().equals(answer.first(Header.CALL_ID))) {
            return Optional.empty();
        }
        int status = answer.status();
        if (status < 200) {
            return Optional.empty();
        }
        String cseq = answer.first(Header.CSEQ);
        if (cseq == null || !cseq.strip().replaceAll("\\s+", " ").equals(probe.seq() + " REGISTER")) {
            return wrong(status, "CSeq " + cseq + " answers no REGISTER sent (" + probe.seq() + " REGISTER)");
        }
        String via = answer.first(Header.VIA);
        if (via == null || !probe.branch().equals(Hop.param(via.substring(Math.max(0, via.indexOf(';'))), "branch"))) {
            return wrong(status, "the top Via is not the probe's: " + via);
        }
        if (status >= 300) {
            return Optional.of(new Judgement(Verdict.refused, status, status + " " + answer.reason()));
        }
        String from = answer.first(Header.FROM);
        if (from == null || !probe.tag().equals(Hop.param(from.substring(Math.max(0, from.indexOf('>'))), "tag"))) {
            return wrong(status, "From is not the probe's: " + from);
        }
        String to = answer.first(Header.TO);
        if (to == null || !aor.equalsIgnoreCase(Hop.aor(to))) {
            return wrong(status, "To names another address of record: " + to);
        }
        for (String c : answer.all(Header.CONTACT)) {
            String uri = Hop.bracketed(c);
            if (probe.contact().equals(uri != null ? uri : c.strip())) {
                String expires = Hop.param(c.substring(Math.max(0, c.indexOf('>'))), "expires");
                if (expires != null && (!expires.matches("\\d{1,9}") || Long.parseLong(expires) == 0)) {
                    return wrong(status, "the binding registered is answered with expires " + expires);
                }
                return Optional.of(new Judgement(Verdict.right, status, ""));
            }
        }
        return wrong(status, "the binding registered is missing from the 200; Contact: " + answer.all(Header.CONTACT));
    }

    private static Optional<Judgement> wrong(int status, String why) {
        return Optional.of(new Judgement(Verdict.wrong, status, why));
    }
}
