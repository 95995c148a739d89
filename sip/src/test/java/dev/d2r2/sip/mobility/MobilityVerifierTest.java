package dev.d2r2.sip.mobility;

import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.DUPLICATE;
import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.FORGED;
import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.MALFORMED;
import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.OTHER_DIALOG;
import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.STALE;
import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.TAKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The subscriber's judgement of NOTIFY bodies: order by epoch then version, the mac under its own key, its dialog. */
class MobilityVerifierTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final MobilityVerifier verifier = MobilityVerifier.fresh("c1", "ua", RANDOM);
    private final byte[] key = MobilityNotice.key(verifier.keyHeader().substring("Mobility-Key: ".length()));

    private static SipMessage notify(String callId, String toTag, String body) {
        byte[] b = ("NOTIFY sip:ua@127.0.0.1:6000 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKn\r\n"
                + "From: <sip:server@127.0.0.1:5070>;tag=srv\r\nTo: <sip:ua@127.0.0.1:6000>;tag=" + toTag + "\r\nCall-ID: " + callId
                + "\r\nCSeq: 1 NOTIFY\r\nEvent: server-mobility\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        return SipParser.datagram(b, 0, b.length);
    }

    private MobilityVerifier.Check check(String address, long epoch, long version) {
        return check(new MobilityNotice("sip:server@" + address, epoch, version, null).signed(key, "c1", "ua"));
    }

    private MobilityVerifier.Check check(MobilityNotice n) {
        return verifier.check(notify("c1", "ua", n.body()));
    }

    @Test
    void newerNoticesAreTakenARetransmissionIsADuplicateAndAnOlderOneIsStale() {
        assertThat(check("127.0.0.1:5070", 10, 1).address()).isEqualTo("127.0.0.1:5070");
        MobilityVerifier.Check moved = check("10.0.0.2:5070", 10, 2);
        assertThat(moved.verdict()).isEqualTo(TAKEN);
        assertThat(moved.address()).isEqualTo("10.0.0.2:5070");
        assertThat(check("10.0.0.2:5070", 10, 2).verdict()).as("the same NOTIFY again").isEqualTo(DUPLICATE);
        MobilityVerifier.Check old = check("127.0.0.1:5070", 10, 1);
        assertThat(old.verdict()).isEqualTo(STALE);
        assertThat(old.address()).isNull();
        assertThat(old.verdict().status).isEqualTo(500);
        assertThat(check("10.0.0.9:5070", 9, 7).verdict()).as("an older epoch, whatever its version").isEqualTo(STALE);
        assertThat(check("10.0.0.3:5070", 11, 1).verdict()).as("a restored server: a later epoch, an earlier version")
                .isEqualTo(TAKEN);
        assertThat(verifier.last().uri()).isEqualTo("sip:server@10.0.0.3:5070");
        assertThat(verifier.counts()).containsEntry(TAKEN, 3L).containsEntry(DUPLICATE, 1L).containsEntry(STALE, 2L);
    }

    @Test
    void aNoticeSignedWithAnotherKeyOrAlteredOrUnsignedIsForged() {
        check("127.0.0.1:5070", 10, 1);
        byte[] other = MobilityNotice.key(MobilityNotice.newKey(RANDOM));
        MobilityNotice elsewhere = new MobilityNotice("sip:server@10.6.6.6:5070", 10, 2, null);
        assertThat(check(elsewhere.signed(other, "c1", "ua")).verdict()).isEqualTo(FORGED);
        MobilityNotice genuine = new MobilityNotice("sip:server@10.0.0.2:5070", 10, 2, null).signed(key, "c1", "ua");
        assertThat(check(new MobilityNotice("sip:server@10.6.6.6:5070", 10, 2, genuine.mac())).verdict()).as("another address")
                .isEqualTo(FORGED);
        assertThat(check(new MobilityNotice(genuine.uri(), 10, 3, genuine.mac())).verdict()).as("another version").isEqualTo(FORGED);
        assertThat(check(elsewhere).verdict()).as("no mac").isEqualTo(FORGED);
        assertThat(check(genuine.signed(key, "c2", "ua")).verdict()).as("signed for another dialog").isEqualTo(FORGED);
        assertThat(FORGED.status).isEqualTo(403);
        assertThat(verifier.last().uri()).as("still where it was").isEqualTo("sip:server@127.0.0.1:5070");
        assertThat(check(genuine).verdict()).isEqualTo(TAKEN);
    }

    @Test
    void aBodyWithoutOrderOrOfAnotherDialogIsRefused() {
        assertThat(verifier.check(notify("c1", "ua", "sip:server@10.0.0.2:5070\r\n")).verdict()).isEqualTo(MALFORMED);
        assertThat(verifier.check(notify("c1", "ua", "sip:server@10.0.0.2:5070\r\nepoch: 1\r\nversion: x\r\n")).verdict())
                .isEqualTo(MALFORMED);
        assertThat(verifier.check(notify("c1", "ua", "hello\r\n")).verdict()).isEqualTo(MALFORMED);
        String body = new MobilityNotice("sip:server@10.0.0.2:5070", 1, 1, null).signed(key, "c1", "ua").body();
        assertThat(verifier.check(notify("c9", "ua", body)).verdict()).isEqualTo(OTHER_DIALOG);
        assertThat(verifier.check(notify("c1", "other", body)).verdict()).isEqualTo(OTHER_DIALOG);
        assertThat(verifier.last()).isNull();
    }

    @Test
    void aShortOrUnreadableKeyIsRefused() {
        assertThatThrownBy(() -> new MobilityVerifier("c1", "ua", "c2hvcnQ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> MobilityNotice.key("not base64!")).isInstanceOf(IllegalArgumentException.class);
    }
}
