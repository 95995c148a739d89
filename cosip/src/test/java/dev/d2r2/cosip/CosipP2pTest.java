package dev.d2r2.cosip;

import dev.d2r2.cosip.events.ModeChange.Mode;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two CoSIP proxies whose provider never answers (a silent socket), so both are in P2P mode:
 * rate limiting, and the mutual authentication of calls set up through the DHT, against bare
 * SIP endpoints that forge what a proxy would not.
 */
class CosipP2pTest {
    private DatagramSocket silentServer;
    private Rig rig;

    @BeforeEach
    void start() throws Exception {
        silentServer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        rig = new Rig((InetSocketAddress) silentServer.getLocalSocketAddress(), 1, 2);
        Rig.awaitMode(rig.alice, Mode.P2P);
        Rig.awaitMode(rig.bob, Mode.P2P);
    }

    @AfterEach
    void stop() throws Exception {
        rig.close();
        silentServer.close();
    }

    private static SipMessage parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return SipParser.datagram(b, 0, b.length);
    }

    @Test
    void theOwnUsersNewCallsAreRateLimitedInP2pMode() throws Exception {
        try (RawUa ua = new RawUa()) {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ua.send(ua.invite("bob", "limit-" + i, ""), rig.alice.address());
                answers.add(RawUa.status(ua.receive()));
            }
            assertThat(answers).as("bob has no contact in the DHT: 480; the third call is over the burst: 503")
                    .containsExactlyInAnyOrder("480", "480", "503");
            CosipStatus s = Rig.status(rig.alice);
            assertThat(s.counter("calls.refused.rate")).isEqualTo(1);
            assertThat(s.counter("dht.lookups")).isEqualTo(2);
        }
    }

    @Test
    void unsignedAndForgedP2pInvitesAreRefusedAndASignedOneReachesTheCallee() throws Exception {
        try (RawUa bobUa = new RawUa(); RawUa caller = new RawUa()) {
            bobUa.send(bobUa.register("bob"), rig.bob.address());
            assertThat(RawUa.status(bobUa.receive())).as("answered by the proxy itself while the provider is down").isEqualTo("200");

            caller.send(caller.invite("bob", "unsigned", ""), rig.bob.peerAddress());
            assertThat(RawUa.status(caller.receive())).isEqualTo("403");

            Identity mallory = Identity.generate();
            CallSigner forger = new CallSigner(mallory, rig.roster, Rig.DOMAIN, 30_000);
            String forged = caller.invite("bob", "forged", "");
            caller.send(caller.invite("bob", "forged", CallSigner.HEADER + ": " + forger.sign(parse(forged), null, System.currentTimeMillis()) + "\r\n"),
                    rig.bob.peerAddress());
            assertThat(RawUa.status(caller.receive())).isEqualTo("403");

            CallSigner aliceSigner = new CallSigner(rig.aliceId, rig.roster, Rig.DOMAIN, 30_000);
            String genuine = caller.invite("bob", "genuine", "");
            caller.send(caller.invite("bob", "genuine", CallSigner.HEADER + ": " + aliceSigner.sign(parse(genuine), null, System.currentTimeMillis()) + "\r\n"),
                    rig.bob.peerAddress());
            String delivered = bobUa.receive();
            assertThat(delivered).startsWith("INVITE sip:bob@" + bobUa.hostPort()).contains("Call-ID: genuine")
                    .doesNotContain(CallSigner.HEADER).contains("Contact: <sip:alice@" + rig.bob.address().getHostString() + ":" + rig.bob.address().getPort() + ">");

            CosipStatus s = Rig.status(rig.bob);
            assertThat(s.counter("refused.auth.unsigned")).isEqualTo(1);
            assertThat(s.counter("refused.auth.bad_signature")).isEqualTo(1);
            assertThat(s.counter("calls.in.via-dht")).isEqualTo(1);
        }
    }

    @Test
    void theCalleesAnswerMustBeSignedByTheCallee() throws Exception {
        try (RawUa aliceUa = new RawUa(); RawUa fakeBobProxy = new RawUa()) {
            SignedValue contact = SignedValue.sign(rig.bobId, Rig.BOB.getBytes(StandardCharsets.UTF_8), 1,
                    fakeBobProxy.hostPort().getBytes(StandardCharsets.UTF_8));
            assertThat(rig.bobNode.put(contact).get(10, TimeUnit.SECONDS).stored()).isPositive();

            aliceUa.send(aliceUa.invite("bob", "answer", ""), rig.alice.address());
            String invite = fakeBobProxy.receive();
            CallSigner bobSigner = new CallSigner(rig.bobId, rig.roster, Rig.DOMAIN, 30_000);
            assertThat(bobSigner.verify(parse(invite), System.currentTimeMillis())).as("alice's proxy signs").isEqualTo(CallSigner.Verdict.OK);

            String ok = RawUa.answer(invite, fakeBobProxy.hostPort());
            CallSigner forger = new CallSigner(Identity.generate(), rig.roster, Rig.DOMAIN, 30_000);
            fakeBobProxy.send(signed(ok, forger), rig.alice.peerAddress());
            await().atMost(Duration.ofSeconds(5)).until(() -> Rig.status(rig.alice).counter("refused.auth.bad_signature") == 1);
            fakeBobProxy.send(signed(ok, bobSigner), rig.alice.peerAddress());
            String received = aliceUa.receive();
            assertThat(received).startsWith("SIP/2.0 200").doesNotContain(CallSigner.HEADER);
            assertThat(Rig.status(rig.alice).counter("calls.answered.via-dht")).isEqualTo(1);
        }
    }

    @Test
    void junkIsDroppedAndCountedAndTheProxyStillAnswers() throws Exception {
        try (RawUa ua = new RawUa()) {
            ua.send("\u0000\u0001garbage", rig.alice.address());
            ua.send("INVITE sip:bob@example.org SIP/2.0\r\nContent-Length: 99999\r\n\r\n", rig.alice.peerAddress());
            ua.send("SIP/2.0 200 OK\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n", rig.alice.peerAddress());
            await().atMost(Duration.ofSeconds(5)).until(() -> Rig.status(rig.alice).counter("dropped.malformed") == 3);
            ua.send("OPTIONS sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP " + ua.hostPort() + ";branch=z9hG4bKo\r\nFrom: <sip:x@y>;tag=1\r\n"
                    + "To: <sip:example.org>\r\nCall-ID: o@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", rig.alice.address());
            assertThat(RawUa.status(ua.receive())).isEqualTo("200");
        }
    }

    private static String signed(String head, CallSigner signer) {
        String unsigned = head + "Content-Length: 0\r\n\r\n";
        return head + CallSigner.HEADER + ": " + signer.sign(parse(unsigned), null, System.currentTimeMillis()) + "\r\nContent-Length: 0\r\n\r\n";
    }
}
