package dev.d2r2.sip.server;

import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.mobility.MobilityVerifier;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code server-mobility} package's decisions at chosen times (no clock, no socket): what the
 * SIPp tests do not reach — durations, refreshes, the end of a subscription by Expires 0, by the
 * subscriber's error answer and by time, and SUBSCRIBEs without a dialog to answer in.
 */
class MobilityPackageTest {
    private static final String CONTACT = "Contact: <sip:server@127.0.0.1:5070>";
    private final Counters counters = new Counters();
    private final MobilityPackage mobility = new MobilityPackage(counters, 5);

    private static SipMessage parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return SipParser.datagram(b, 0, b.length);
    }

    private static SipMessage subscribe(String toTag, String headers) {
        return parse("SUBSCRIBE sip:server@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:6000;branch=z9hG4bKx\r\n"
                + "From: <sip:ua@127.0.0.1:6000>;tag=ua\r\nTo: <sip:server@127.0.0.1:5070>" + toTag + "\r\nCall-ID: c1\r\n"
                + "CSeq: 1 SUBSCRIBE\r\nMax-Forwards: 70\r\n" + headers + "Content-Length: 0\r\n\r\n");
    }

    private static String withContact(String headers) {
        return "Contact: <sip:ua@127.0.0.1:6000;transport=udp>\r\n" + headers;
    }

    private static String text(MobilityPackage.Notify n) {
        return new String(n.bytes(), StandardCharsets.US_ASCII);
    }

    private MobilityPackage.Answer ask(String toTag, String headers, long now) {
        return mobility.subscribe(subscribe(toTag, headers), "srv", CONTACT, now);
    }

    @Test
    void aSubscriptionIsGrantedAtMostAnHourAndItsNotifiesNameTheServerInOrder() {
        MobilityPackage.Answer a = ask("", withContact("Event: server-mobility;id=7\r\nExpires: 86400\r\n"), 0);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.header()).startsWith("Expires: 3600\r\n");
        String first = text(mobility.notify(a.notified(), "127.0.0.1:5070", CONTACT, false, 1000));
        assertThat(first).startsWith("NOTIFY sip:ua@127.0.0.1:6000;transport=udp SIP/2.0\r\n")
                .contains("From: <sip:server@127.0.0.1:5070>;tag=srv\r\n", "To: <sip:ua@127.0.0.1:6000>;tag=ua\r\n", "CSeq: 1 NOTIFY",
                        "Event: server-mobility;id=7\r\n", "Subscription-State: active;expires=3599\r\n", "Content-Type: text/plain")
                .endsWith("\r\n\r\nsip:server@127.0.0.1:5070\r\nepoch: 5\r\nversion: 1\r\n");
        String moved = text(mobility.notify(a.notified(), "10.0.0.2:5070", CONTACT, false, 2000));
        assertThat(moved).contains("CSeq: 2 NOTIFY").endsWith("sip:server@10.0.0.2:5070\r\nepoch: 5\r\nversion: 2\r\n");
        assertThat(ask("", withContact("Event: server-mobility\r\n"), 0).header()).as("the default").startsWith("Expires: 3600\r\n");
    }

    @Test
    void aRefreshInTheDialogExtendsItAndExpiresZeroEndsItWithATerminatedNotify() {
        ask("", withContact("Event: server-mobility\r\nExpires: 60\r\n"), 0);
        MobilityPackage.Answer refreshed = ask(";tag=srv", "Event: server-mobility\r\nExpires: 120\r\n", 30_000);
        assertThat(refreshed.status()).isEqualTo(200);
        assertThat(mobility.live(89_000)).as("alive past its first expiry").hasSize(1);
        MobilityPackage.Answer ended = ask(";tag=srv", "Event: server-mobility\r\nExpires: 0\r\n", 90_000);
        assertThat(ended.status()).isEqualTo(200);
        assertThat(ended.terminated()).isTrue();
        assertThat(mobility.size()).isZero();
        assertThat(text(mobility.notify(ended.notified(), "127.0.0.1:5070", CONTACT, true, 90_000)))
                .contains("Subscription-State: terminated;reason=timeout\r\n");
        assertThat(counters.snapshot()).containsEntry("subscribe", 1L).containsEntry("subscribe.refresh", 1L)
                .containsEntry("unsubscribe", 1L);
    }

    @Test
    void anUnrefreshedSubscriptionExpiresAndIsNotNotified() {
        MobilityPackage.Answer a = ask("", withContact("Event: server-mobility\r\nExpires: 60\r\n"), 0);
        assertThat(mobility.live(59_999)).hasSize(1);
        assertThat(mobility.live(60_000)).isEmpty();
        assertThat(mobility.notify(a.notified(), "127.0.0.1:5070", CONTACT, false, 60_000)).isNull();
        assertThat(counters.snapshot()).containsEntry("subscriptions.expired", 1L);
    }

    @Test
    void aSubscribersErrorAnswerToANotifyEndsTheSubscription() {
        ask("", withContact("Event: server-mobility\r\n"), 0);
        mobility.answered(parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKn\r\nFrom: <sip:server@127.0.0.1:5070>;tag=srv\r\n"
                + "To: <sip:ua@127.0.0.1:6000>;tag=ua\r\nCall-ID: c1\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n"));
        assertThat(mobility.size()).isEqualTo(1);
        mobility.answered(parse("SIP/2.0 481 Subscription Does Not Exist\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKn\r\n"
                + "From: <sip:server@127.0.0.1:5070>;tag=srv\r\nTo: <sip:ua@127.0.0.1:6000>;tag=ua\r\nCall-ID: c1\r\nCSeq: 2 NOTIFY\r\n"
                + "Content-Length: 0\r\n\r\n"));
        assertThat(mobility.size()).isZero();
        assertThat(counters.snapshot()).containsEntry("notify.ok", 1L).containsEntry("notify.refused", 1L);
    }

    @Test
    void aSubscribeWithoutContactOrFromTagOrEventIsRefusedAndCounted() {
        assertThat(ask("", "Event: server-mobility\r\n", 0).status()).as("no Contact").isEqualTo(400);
        SipMessage untagged = parse("SUBSCRIBE sip:server@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:6000;branch=z9hG4bKx\r\n"
                + "From: <sip:ua@127.0.0.1:6000>\r\nTo: <sip:server@127.0.0.1:5070>\r\nCall-ID: c2\r\nCSeq: 1 SUBSCRIBE\r\n"
                + withContact("Event: server-mobility\r\n") + "Content-Length: 0\r\n\r\n");
        assertThat(mobility.subscribe(untagged, "srv", CONTACT, 0).status()).as("no From tag").isEqualTo(400);
        MobilityPackage.Answer noEvent = ask("", withContact(""), 0);
        assertThat(noEvent.status()).isEqualTo(489);
        assertThat(noEvent.header()).isEqualTo("Allow-Events: server-mobility");
        assertThat(ask("", withContact("o: server-mobility\r\nExpires: -1\r\n"), 0).status()).as("compact Event, negative Expires")
                .isEqualTo(400);
        assertThat(mobility.size()).isZero();
        assertThat(counters.snapshot()).containsEntry("subscribe.bad_dialog", 2L).containsEntry("subscribe.bad_event", 1L)
                .containsEntry("subscribe.bad_expires", 1L).doesNotContainKey("subscribe");
    }

    @Test
    void theNotifiesOfASubscriptionWithAKeyAreSignedForItAndTheKeyNeverChanges() {
        MobilityVerifier verifier = MobilityVerifier.fresh("c1", "ua", new java.security.SecureRandom());
        MobilityPackage.Answer a = ask("", withContact("Event: server-mobility\r\n" + verifier.keyHeader() + "\r\n"), 0);
        assertThat(verifier.check(parse(text(mobility.notify(a.notified(), "127.0.0.1:5070", CONTACT, false, 0)))).verdict())
                .isEqualTo(MobilityVerifier.Verdict.TAKEN);
        MobilityVerifier usurper = MobilityVerifier.fresh("c1", "ua", new java.security.SecureRandom());
        assertThat(ask(";tag=srv", "Event: server-mobility\r\n" + usurper.keyHeader() + "\r\n", 1000).status()).isEqualTo(200);
        String moved = text(mobility.notify(a.notified(), "10.0.0.2:5070", CONTACT, false, 1000));
        assertThat(usurper.check(parse(moved)).verdict()).as("a refresh does not replace the key").isEqualTo(MobilityVerifier.Verdict.FORGED);
        MobilityVerifier.Check taken = verifier.check(parse(moved));
        assertThat(taken.address()).isEqualTo("10.0.0.2:5070");
        assertThat(taken.notice().version()).isEqualTo(2);
    }

    @Test
    void aBadKeyIsRefusedAndCounted() {
        assertThat(ask("", withContact("Event: server-mobility\r\nMobility-Key: c2hvcnQ\r\n"), 0).status()).isEqualTo(400);
        assertThat(ask("", withContact("Event: server-mobility\r\nMobility-Key: ***\r\n"), 0).reason()).isEqualTo("Bad Mobility-Key");
        assertThat(mobility.size()).isZero();
        assertThat(counters.snapshot()).containsEntry("subscribe.bad_key", 2L);
    }

    @Test
    void aServerLoadingAStateTakesAnEpochAfterItsWhateverItsClock() {
        mobility.load(java.util.Map.of(), 1_000_000);
        assertThat(mobility.epoch()).as("the source's clock was ahead").isEqualTo(1_000_001);
        mobility.load(java.util.Map.of(), 7);
        assertThat(mobility.epoch()).as("never goes back").isEqualTo(1_000_001);
    }
}
