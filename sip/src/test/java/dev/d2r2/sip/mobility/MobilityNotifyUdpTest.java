package dev.d2r2.sip.mobility;

import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;

import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.DUPLICATE;
import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.FORGED;
import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.STALE;
import static dev.d2r2.sip.mobility.MobilityVerifier.Verdict.TAKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A subscriber and real servers on loopback UDP: a NOTIFY forged by a third party that knows the
 * dialog is answered 403 and not followed; the genuine NOTIFY of the server that arrived elsewhere
 * is taken; the source, still alive after the move, announces itself with an older epoch and is
 * answered 500; a NOTIFY the subscriber does not answer is retransmitted until it does, and the
 * retransmission that crossed the answer is a duplicate, answered without moving.
 */
class MobilityNotifyUdpTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static String address(SipServer s) throws Exception {
        return "127.0.0.1:" + s.address().getPort();
    }

    @Test
    void forgedAndStaleNotifiesAreRefusedAndTheGenuineOneIsTaken() throws Exception {
        try (SipServer before = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
             MobilitySubscriber ua = new MobilitySubscriber(new InetSocketAddress("127.0.0.1", 0), "moving@test");
             DatagramSocket forger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ua.subscribe(address(before));
            MobilityVerifier.Check first = ua.next(WAIT, false);
            assertThat(first.verdict()).isEqualTo(TAKEN);
            assertThat(first.address()).isEqualTo(address(before));

            byte[] elsewhere = MobilityNotice.key(MobilityNotice.newKey(new SecureRandom()));
            String body = new MobilityNotice("sip:server@10.6.6.6:5070", first.notice().epoch() + 1, 99, null)
                    .signed(elsewhere, "moving@test", "ua").body();
            String forged = "NOTIFY sip:ua@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + forger.getLocalPort() + ";branch=z9hG4bKf\r\n"
                    + "From: <sip:server@" + address(before) + ">;tag=x\r\nTo: <sip:ua@127.0.0.1>;tag=ua\r\nCall-ID: moving@test\r\n"
                    + "CSeq: 99 NOTIFY\r\nEvent: server-mobility\r\nSubscription-State: active\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            byte[] bytes = forged.getBytes(StandardCharsets.US_ASCII);
            forger.send(new DatagramPacket(bytes, bytes.length, ua.address()));
            assertThat(ua.next(WAIT, false).verdict()).isEqualTo(FORGED);
            forger.setSoTimeout(5000);
            DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
            forger.receive(answer);
            assertThat(new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII)).startsWith("SIP/2.0 403 Forbidden");
            assertThat(ua.server()).as("not followed").isEqualTo(address(before));

            try (SipServer after = new SipServer(before.state().at("127.0.0.1:0"))) {
                after.announce();
                MobilityVerifier.Check moved = ua.next(WAIT, false);
                assertThat(moved.verdict()).isEqualTo(TAKEN);
                assertThat(moved.notice().epoch()).isGreaterThan(first.notice().epoch());
                assertThat(ua.server()).isEqualTo(address(after));

                before.announce();
                MobilityVerifier.Check stale = ua.next(WAIT, false);
                assertThat(stale.verdict()).isEqualTo(STALE);
                assertThat(stale.notice().uri()).isEqualTo("sip:server@" + address(before));
                assertThat(ua.server()).as("still follows the server that arrived").isEqualTo(address(after));
                await().atMost(WAIT).until(() -> before.counters().getOrDefault("notify.refused", 0L) == 1);

                after.announce();
                await().atMost(WAIT).until(() -> after.counters().getOrDefault("notify.retransmitted", 0L) >= 1);
                MobilityVerifier.Check again = ua.next(WAIT, false);
                assertThat(again.verdict()).isEqualTo(TAKEN);
                assertThat(again.notice().version()).isEqualTo(moved.notice().version() + 1);
                assertThat(ua.next(WAIT, true).verdict()).as("the retransmission").isEqualTo(DUPLICATE);
                await().atMost(WAIT).until(() -> after.counters().getOrDefault("notify.stray", 0L) >= 1);
                assertThat(after.counters()).containsEntry("notify.ok", 2L).doesNotContainKey("notify.refused");
                assertThat(after.subscriptions()).isEqualTo(1);
            }
            assertThat(ua.verifier().counts()).containsEntry(TAKEN, 3L).containsEntry(FORGED, 1L).containsEntry(STALE, 1L);
        }
    }
}
