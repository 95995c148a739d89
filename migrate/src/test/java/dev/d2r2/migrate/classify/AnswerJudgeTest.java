package dev.d2r2.migrate.classify;

import dev.d2r2.migrate.classify.AnswerJudge.Judgement;
import dev.d2r2.migrate.classify.AnswerJudge.Probe;
import dev.d2r2.migrate.classify.AnswerJudge.Verdict;
import dev.d2r2.sip.codec.SipParser;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each check of the judge on one answer: what a right 200 echoes, and every way of being wrong, stray or refused. */
class AnswerJudgeTest {
    private final AnswerJudge judge = new AnswerJudge("judge@example.org", "n1");
    private final Probe probe = judge.register(7, new InetSocketAddress("127.0.0.1", 40000), new InetSocketAddress("127.0.0.1", 5060));

    private String answer(String status, String callId, String cseq, String branch, String fromTag, String to, String contact) {
        return "SIP/2.0 " + status + "\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=" + branch + ";rport=40000\r\n"
                + "From: <sip:judge@example.org>;tag=" + fromTag + "\r\nTo: " + to + ";tag=srv\r\nCall-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + "\r\n" + (contact == null ? "" : "Contact: " + contact + "\r\n") + "Content-Length: 0\r\n\r\n";
    }

    private String right() {
        return answer("200 OK", probe.callId(), "7 REGISTER", probe.branch(), probe.tag(), "<sip:judge@example.org>",
                "<" + probe.contact() + ">;expires=60");
    }

    private Optional<Judgement> judged(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return judge.judge(probe, SipParser.datagram(b, 0, b.length));
    }

    private Judgement wrong(String text) {
        Judgement j = judged(text).orElseThrow();
        assertThat(j.verdict()).isEqualTo(Verdict.wrong);
        return j;
    }

    @Test
    void theRequestCarriesWhatTheAnswerMustEchoAndTheRightAnswerIsRight() {
        String request = new String(probe.bytes(), StandardCharsets.US_ASCII);
        assertThat(request).startsWith("REGISTER sip:example.org SIP/2.0\r\n").contains("CSeq: 7 REGISTER")
                .contains("Contact: <" + probe.contact() + ">;expires=60");
        assertThat(judged(right())).contains(new Judgement(Verdict.right, 200, ""));
        assertThat(judged(right().replace(";expires=60", ""))).map(Judgement::verdict).contains(Verdict.right);
    }

    @Test
    void everyWrongEchoIsWrong() {
        assertThat(wrong(right().replace(probe.contact(), "sip:mallory@198.51.100.66")).why()).contains("binding registered is missing");
        assertThat(wrong(right().replace("Contact: <" + probe.contact() + ">;expires=60\r\n", "")).why())
                .contains("binding registered is missing");
        assertThat(wrong(right().replace(";expires=60", ";expires=0")).why()).contains("expires 0");
        assertThat(wrong(right().replace("7 REGISTER", "8 REGISTER")).why()).contains("CSeq 8 REGISTER");
        assertThat(wrong(right().replace("7 REGISTER", "7 INVITE")).why()).contains("CSeq");
        assertThat(wrong(right().replace("branch=" + probe.branch(), "branch=z9hG4bK-other")).why()).contains("Via");
        assertThat(wrong(right().replace("tag=" + probe.tag(), "tag=other")).why()).contains("From");
        assertThat(wrong(right().replace("To: <sip:judge@example.org>", "To: <sip:alice@example.org>")).why())
                .contains("another address of record");
        assertThat(wrong(right().replace("Content-Length: 0", "Content-Length: 99")).why()).contains("malformed");
    }

    @Test
    void anotherCallsAnswerAndAProvisionalAreNotJudgedAndAnErrorIsARefusal() {
        assertThat(judged(right().replace(probe.callId(), "judge-6-n1"))).isEmpty();
        assertThat(judged(right().replace("200 OK", "100 Trying"))).isEmpty();
        assertThat(judged(right().replace("200 OK", "503 Service Unavailable")))
                .contains(new Judgement(Verdict.refused, 503, "503 Service Unavailable"));
    }

    @Test
    void anAddressOfRecordThatIsNotUserAtDomainIsRefused() {
        assertThatThrownBy(() -> new AnswerJudge("judge", "n")).hasMessageContaining("user@domain");
        assertThatThrownBy(() -> new AnswerJudge("a b@c", "n")).hasMessageContaining("user@domain");
    }
}
