package dev.d2r2.cosip;

import dev.d2r2.cosip.CallSigner.Verdict;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CallSignerTest {
    private static final long NOW = 1_000_000;
    private static final String CONTACT = "<sip:alice@127.0.0.1:6000>";
    private final Identity alice = Identity.generate();
    private final Identity bob = Identity.generate();
    private final Identity mallory = Identity.generate();
    private final Roster roster = Roster.of(Map.of("sip:alice@example.org", alice.publicKey(), "sip:bob@example.org", bob.publicKey()));
    private final CallSigner aliceSigner = new CallSigner(alice, roster, "example.org", 30_000);
    private final CallSigner bobSigner = new CallSigner(bob, roster, "example.org", 30_000);

    private static String invite(String from, String contact, String auth, String body) {
        return "INVITE sip:bob@example.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:6000;branch=z9hG4bK1\r\n"
                + "From: <" + from + ">;tag=1\r\nTo: <sip:bob@example.org>\r\nCall-ID: c1@x\r\nCSeq: 1 INVITE\r\n"
                + "Contact: " + contact + "\r\n" + (auth == null ? "" : CallSigner.HEADER + ": " + auth + "\r\n")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static SipMessage parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return SipParser.datagram(b, 0, b.length);
    }

    private String signedBy(CallSigner signer, String from, long at) {
        return signer.sign(parse(invite(from, CONTACT, null, "v=0\r\n")), CONTACT, at);
    }

    @Test
    void theCallersSignatureVerifiesWithTheKeyTheRosterNamesForTheFromAor() {
        String auth = signedBy(aliceSigner, "sip:alice@example.org", NOW);
        assertThat(bobSigner.verify(parse(invite("sip:alice@example.org", CONTACT, auth, "v=0\r\n")), NOW + 29_000)).isEqualTo(Verdict.OK);
    }

    @Test
    void aChangedBodyContactOrCallerIsABadSignature() {
        String auth = signedBy(aliceSigner, "sip:alice@example.org", NOW);
        assertThat(bobSigner.verify(parse(invite("sip:alice@example.org", CONTACT, auth, "v=1\r\n")), NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(bobSigner.verify(parse(invite("sip:alice@example.org", "<sip:alice@10.0.0.66:6000>", auth, "v=0\r\n")), NOW))
                .isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(bobSigner.verify(parse(invite("sip:bob@example.org", CONTACT, auth, "v=0\r\n")), NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    }

    @Test
    void anotherIdentityCannotSpeakForAlice() {
        CallSigner malloryAsAlice = new CallSigner(mallory, roster, "example.org", 30_000);
        String auth = signedBy(malloryAsAlice, "sip:alice@example.org", NOW);
        assertThat(bobSigner.verify(parse(invite("sip:alice@example.org", CONTACT, auth, "v=0\r\n")), NOW)).isEqualTo(Verdict.BAD_SIGNATURE);
    }

    @Test
    void staleUnsignedUnknownAndGarbledAreRefusedWithTheirReason() {
        String old = signedBy(aliceSigner, "sip:alice@example.org", NOW - 30_001);
        assertThat(bobSigner.verify(parse(invite("sip:alice@example.org", CONTACT, old, "v=0\r\n")), NOW)).isEqualTo(Verdict.STALE);
        assertThat(bobSigner.verify(parse(invite("sip:alice@example.org", CONTACT, null, "v=0\r\n")), NOW)).isEqualTo(Verdict.UNSIGNED);
        String carol = signedBy(aliceSigner, "sip:carol@example.org", NOW);
        assertThat(bobSigner.verify(parse(invite("sip:carol@example.org", CONTACT, carol, "v=0\r\n")), NOW)).isEqualTo(Verdict.UNKNOWN_AOR);
        for (String garbled : new String[]{"ts=x;sig=AAAA", "sig=AAAA", "ts=" + NOW + ";sig=!!", "ts=" + NOW + ";sig=AAAA", ""}) {
            assertThat(bobSigner.verify(parse(invite("sip:alice@example.org", CONTACT, garbled, "v=0\r\n")), NOW)).as(garbled)
                    .isEqualTo(Verdict.BAD_SIGNATURE);
        }
    }

    @Test
    void theCalleesAnswerVerifiesWithTheKeyOfTheToAor() {
        String ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:6000;branch=z9hG4bK1\r\nFrom: <sip:alice@example.org>;tag=1\r\n"
                + "To: <sip:bob@example.org>;tag=2\r\nCall-ID: c1@x\r\nCSeq: 1 INVITE\r\nContact: <sip:bob@127.0.0.1:7000>\r\n";
        String auth = bobSigner.sign(parse(ok + "Content-Length: 0\r\n\r\n"), null, NOW);
        assertThat(aliceSigner.verify(parse(ok + CallSigner.HEADER + ": " + auth + "\r\nContent-Length: 0\r\n\r\n"), NOW)).isEqualTo(Verdict.OK);
        String byAlice = aliceSigner.sign(parse(ok + "Content-Length: 0\r\n\r\n"), null, NOW);
        assertThat(aliceSigner.verify(parse(ok + CallSigner.HEADER + ": " + byAlice + "\r\nContent-Length: 0\r\n\r\n"), NOW))
                .isEqualTo(Verdict.BAD_SIGNATURE);
    }
}
