package dev.d2r2.p2psip.auth;

import dev.d2r2.core.Clock;
import dev.d2r2.core.ManualClock;
import dev.d2r2.overlay.kad.Identity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The authentication server on loopback UDP: what it issues, what it refuses and counts, and that nothing stops it. */
class AuthServerTest {
    private static final int QUOTA = 6;
    private final byte[] aliceSecret = secret();
    private final Identity serverKey = Identity.generate();
    private final List<AutoCloseable> open = new ArrayList<>();
    private Enrolments enrolments;
    private AuthServer server;
    private CertificateVerifier verifier;

    private static byte[] secret() {
        byte[] s = new byte[Enrolments.SECRET_BYTES];
        new SecureRandom().nextBytes(s);
        return s;
    }

    @BeforeEach
    void start() throws Exception {
        enrolments = Enrolments.of(Map.of("alice", aliceSecret, "bob", secret()));
        CertificateAuthority authority = new CertificateAuthority(serverKey,
                new CertificateAuthority.Policy(Duration.ofDays(30), Duration.ofHours(6), QUOTA), new SecureRandom());
        server = AuthServer.start(new AuthServer.Settings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofSeconds(30)),
                authority, enrolments, Clock.system());
        verifier = new CertificateVerifier(server.publicKey(), Clock.system());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        server.close();
    }

    private AsClient client(String user, byte[] secret, Clock clock) throws Exception {
        AsClient c = new AsClient(server.address(), user, secret, verifier, clock, Duration.ofSeconds(5), 1);
        open.add(c);
        return c;
    }

    @Test
    void issuesAnIdentityAndBatchesOfUnlinkablePseudonymsAndKeepsTheLinkItself() throws Exception {
        AsClient alice = client("alice", aliceSecret, Clock.system());
        Identity me = Identity.generate();
        Certificate id = alice.identity(me);
        assertThat(id.kind()).isEqualTo(CertificateKind.IDENTITY);
        assertThat(id.subject()).isEqualTo("alice");
        assertThat(id.publicKey()).isEqualTo(me.publicKey());

        List<Identity> keys = IntStream.range(0, 4).mapToObj(i -> Identity.generate()).toList();
        List<Certificate> storage = alice.pseudonyms(CertificateKind.STORAGE, keys);
        List<Certificate> forwarding = alice.pseudonyms(CertificateKind.FORWARDING, keys.subList(0, 2));
        Certificate bobs = client("bob", secretOf("bob"), Clock.system()).pseudonyms(CertificateKind.STORAGE, List.of(Identity.generate()))
                .getFirst();
        for (Certificate c : storage) {
            assertThat(c.subject()).isEmpty();
            assertThat(c.notBeforeMillis()).isEqualTo(bobs.notBeforeMillis());
            assertThat(c.notAfterMillis()).isEqualTo(bobs.notAfterMillis());
            assertThat(verifier.verify(c.encode(), CertificateKind.STORAGE)).isEqualTo(c);
        }
        assertThat(new HashSet<>(storage.stream().map(Certificate::serial).toList())).hasSize(4);
        assertThat(storage.get(0).nodeId()).isNotEqualTo(forwarding.get(0).nodeId());

        assertThat(enrolments.issuedTo("alice")).hasSize(7);
        assertThat(enrolments.issuedTo("alice").stream().map(Enrolments.Issued::nodeId))
                .contains(storage.get(3).nodeId(), forwarding.get(1).nodeId()).doesNotContain(bobs.nodeId());
        assertThat(server.status().issued()).isEqualTo(8);
        assertThat(server.status().refusedTotal()).isZero();
    }

    private byte[] secretOf(String user) {
        return enrolments.secret(user);
    }

    private Refusal refusalOf(ThrowingCall call) {
        try {
            call.run();
            throw new AssertionError("not refused");
        } catch (RequestRefused e) {
            return e.refusal();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void badRequestsAreAnsweredWithTheirReasonCountedAndTheServerGoesOn() throws Exception {
        Identity key = Identity.generate();
        assertThat(refusalOf(() -> client("alice", secret(), Clock.system()).identity(key))).isEqualTo(Refusal.BAD_MAC);
        assertThat(refusalOf(() -> client("mallory", secret(), Clock.system()).identity(key))).isEqualTo(Refusal.BAD_MAC);
        ManualClock late = new ManualClock(System.currentTimeMillis() - Duration.ofMinutes(5).toMillis());
        assertThat(refusalOf(() -> client("alice", aliceSecret, late).identity(key))).isEqualTo(Refusal.STALE);

        AsClient alice = client("alice", aliceSecret, Clock.system());
        alice.pseudonyms(CertificateKind.FORWARDING, IntStream.range(0, QUOTA).mapToObj(i -> Identity.generate()).toList());
        assertThat(refusalOf(() -> alice.pseudonyms(CertificateKind.FORWARDING, List.of(Identity.generate())))).isEqualTo(Refusal.QUOTA);
        alice.pseudonyms(CertificateKind.STORAGE, List.of(Identity.generate()));

        try (DatagramSocket raw = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            long nonce = new SecureRandom().nextLong();
            KeyProof othersProof = new KeyProof(key.publicKey(), Identity.generate().sign(new byte[]{1}));
            byte[] badProof = new AsRequest(CertificateKind.IDENTITY, System.currentTimeMillis(), nonce, "alice", List.of(othersProof))
                    .encode(aliceSecret);
            assertThat(ask(raw, badProof)).isEqualTo(new AsReply.Refused(nonce, Refusal.BAD_PROOF,
                    "BAD_PROOF: a key's signature over the request does not check"));

            long fresh = nonce + 1;
            byte[] good = new AsRequest(CertificateKind.IDENTITY, System.currentTimeMillis(), fresh, "alice",
                    List.of(KeyProof.of(key, fresh, CertificateKind.IDENTITY))).encode(aliceSecret);
            assertThat(ask(raw, good)).isInstanceOf(AsReply.Issued.class);
            assertThat(ask(raw, good)).isInstanceOfSatisfying(AsReply.Refused.class, r -> assertThat(r.refusal()).isEqualTo(Refusal.REPLAYED));

            byte[] tampered = good.clone();
            tampered[good.length - 100] ^= 1;
            assertThat(ask(raw, tampered)).isInstanceOfSatisfying(AsReply.Refused.class, r -> assertThat(r.refusal()).isEqualTo(Refusal.BAD_MAC));

            SecureRandom random = new SecureRandom();
            for (byte[] junk : List.of(new byte[0], new byte[]{0x41, 0x51, 1}, Arrays.copyOf(good, good.length - 40),
                    new byte[AsRequest.MAX_BYTES + 500], randomBytes(random, 200))) {
                assertThat(ask(raw, junk)).isInstanceOfSatisfying(AsReply.Refused.class,
                        r -> assertThat(r.refusal()).isEqualTo(Refusal.MALFORMED));
            }
        }
        assertThat(client("alice", aliceSecret, Clock.system()).identity(Identity.generate()).subject()).isEqualTo("alice");

        AsStatus s = server.status();
        assertThat(s.refused()).containsEntry(Refusal.BAD_MAC, 2L).containsEntry(Refusal.UNKNOWN_USER, 1L)
                .containsEntry(Refusal.STALE, 1L).containsEntry(Refusal.QUOTA, 1L).containsEntry(Refusal.BAD_PROOF, 1L)
                .containsEntry(Refusal.REPLAYED, 1L).containsEntry(Refusal.MALFORMED, 5L);
        assertThat(s.requests()).as("four requests answered with certificates").isEqualTo(s.refusedTotal() + 4);
    }

    private static byte[] randomBytes(SecureRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private AsReply ask(DatagramSocket raw, byte[] request) throws Exception {
        raw.send(new DatagramPacket(request, request.length, server.address()));
        byte[] buffer = new byte[AsReply.MAX_BYTES + 256];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        raw.setSoTimeout(5000);
        raw.receive(p);
        return AsReply.decode(Arrays.copyOf(buffer, p.getLength()));
    }
}
