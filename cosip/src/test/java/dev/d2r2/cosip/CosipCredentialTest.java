package dev.d2r2.cosip;

import dev.d2r2.core.Clock;
import dev.d2r2.cosip.events.ModeChange.Mode;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Credentials issued by the provider (d2r2's own SIP server) on REGISTER: while it is up each
 * proxy gets one for its user and puts it into the DHT; once it is killed a call goes through the
 * DHT with both sides checking the other's credential against the provider's key alone (the
 * proxies have no roster). Forged, expired and mismatched credentials get 403 and are counted.
 */
class CosipCredentialTest {
    private static final long HOUR = 3600_000;
    private final Identity provider = Identity.generate();

    @Test
    void aCallGoesThroughTheDhtOnCredentialsTheProviderIssuedBeforeItDied() throws Exception {
        SipServer server = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        server.issueCredentials(Credential.issuer(provider, Rig.DOMAIN, Duration.ofHours(1), Clock.system()));
        try (server; Rig rig = Rig.withProvider(server.address(), provider.publicKey()); RawUa aliceUa = new RawUa(); RawUa bobUa = new RawUa()) {
            aliceUa.send(aliceUa.register("alice"), rig.alice.address());
            bobUa.send(bobUa.register("bob"), rig.bob.address());
            assertThat(aliceUa.receive()).startsWith("SIP/2.0 200").doesNotContain(Credential.HEADER);
            assertThat(bobUa.receive()).startsWith("SIP/2.0 200").doesNotContain(Credential.HEADER);
            for (CosipProxy p : new CosipProxy[] {rig.alice, rig.bob}) {
                await().atMost(Duration.ofSeconds(10)).until(() -> Rig.status(p).counter("credentials.obtained") == 1
                        && Rig.status(p).counter("dht.put.stored") == 2);
            }
            assertThat(server.counters()).containsEntry("credentials.issued", 2L);

            server.close();
            Rig.awaitMode(rig.alice, Mode.P2P);
            Rig.awaitMode(rig.bob, Mode.P2P);

            aliceUa.send(aliceUa.invite("bob", "after-death", ""), rig.alice.address());
            String invite = bobUa.receive();
            assertThat(invite).startsWith("INVITE sip:bob@" + bobUa.hostPort()).contains("Call-ID: after-death")
                    .doesNotContain(CallSigner.HEADER);
            bobUa.send(RawUa.answer(invite, bobUa.hostPort()) + "Content-Length: 0\r\n\r\n", rig.bob.address());
            assertThat(aliceUa.receive()).startsWith("SIP/2.0 200").doesNotContain(CallSigner.HEADER);
            assertThat(Rig.status(rig.bob).counter("calls.in.via-dht")).isEqualTo(1);
            assertThat(Rig.status(rig.alice).counter("calls.answered.via-dht")).isEqualTo(1);
        }
    }

    @Test
    void forgedExpiredAndMismatchedCredentialsAreRefusedWith403AndCounted() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             Rig rig = Rig.withProvider((InetSocketAddress) silent.getLocalSocketAddress(), provider.publicKey());
             RawUa caller = new RawUa()) {
            Rig.awaitMode(rig.bob, Mode.P2P);
            long now = System.currentTimeMillis();
            Identity mallory = Identity.generate();
            SignedValue selfIssued = Credential.issue(mallory, Rig.ALICE, mallory.publicKey(), now, HOUR);
            SignedValue expired = Credential.issue(provider, Rig.ALICE, rig.aliceId.publicKey(), now - 2 * HOUR, HOUR);
            SignedValue carols = Credential.issue(provider, "sip:carol@example.org", mallory.publicKey(), now, HOUR);

            assertThat(refusal(caller, rig, "forged", mallory, selfIssued)).isEqualTo("403 Forbidden (credential forged)");
            assertThat(refusal(caller, rig, "expired", rig.aliceId, expired)).isEqualTo("403 Forbidden (credential expired)");
            assertThat(refusal(caller, rig, "mismatched", mallory, carols)).isEqualTo("403 Forbidden (credential mismatched)");
            assertThat(refusal(caller, rig, "missing", rig.aliceId, null)).isEqualTo("403 Forbidden (credential missing)");
            SignedValue alices = Credential.issue(provider, Rig.ALICE, rig.aliceId.publicKey(), now, HOUR);
            assertThat(refusal(caller, rig, "stolen", mallory, alices)).as("alice's genuine credential, signed by another key")
                    .isEqualTo("403 Forbidden (bad signature)");

            CosipStatus s = Rig.status(rig.bob);
            assertThat(s.counter("refused.credential.forged")).isEqualTo(1);
            assertThat(s.counter("refused.credential.expired")).isEqualTo(1);
            assertThat(s.counter("refused.credential.mismatched")).isEqualTo(1);
            assertThat(s.counter("refused.credential.missing")).isEqualTo(1);
            assertThat(s.counter("refused.auth.bad_signature")).isEqualTo(1);
            assertThat(s.counter("calls.in.via-dht")).isZero();
        }
    }

    @Test
    void aCredentialForAnotherKeyOrGarbledIsNotTaken() {
        long now = System.currentTimeMillis();
        SignedValue c = Credential.issue(provider, Rig.ALICE, Identity.generate().publicKey(), now, HOUR);
        String encoded = Credential.encode(c);
        assertThat(Credential.check(encoded, provider.publicKey(), Rig.ALICE, now).verdict()).isEqualTo(Credential.Verdict.OK);
        assertThat(Credential.check(encoded, provider.publicKey(), Rig.ALICE, now + HOUR).verdict()).isEqualTo(Credential.Verdict.EXPIRED);
        assertThat(Credential.check(encoded, Identity.generate().publicKey(), Rig.ALICE, now).verdict()).isEqualTo(Credential.Verdict.FORGED);
        assertThat(Credential.check(encoded.substring(0, 40), provider.publicKey(), Rig.ALICE, now).verdict()).isEqualTo(Credential.Verdict.GARBLED);
        assertThat(Credential.check("%%%", provider.publicKey(), Rig.ALICE, now).verdict()).isEqualTo(Credential.Verdict.GARBLED);
        assertThat(Credential.check(encoded + "AAAA", provider.publicKey(), Rig.ALICE, now).verdict()).isEqualTo(Credential.Verdict.GARBLED);
    }

    /** The start line of bob's proxy's answer to a P2P INVITE from alice signed by {@code signer} carrying {@code credential}. */
    private static String refusal(RawUa caller, Rig rig, String callId, Identity signer, SignedValue credential) throws Exception {
        String unsigned = caller.invite("bob", callId, "");
        String sig = new CallSigner(signer, rig.roster, Rig.DOMAIN, 30_000).sign(parse(unsigned), null, System.currentTimeMillis());
        String cred = credential == null ? "" : ";cred=" + Credential.encode(credential);
        caller.send(caller.invite("bob", callId, CallSigner.HEADER + ": " + sig + cred + "\r\n"), rig.bob.peerAddress());
        String answer = caller.receive();
        return answer.substring(8, answer.indexOf("\r\n"));
    }

    private static SipMessage parse(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return SipParser.datagram(b, 0, b.length);
    }
}
