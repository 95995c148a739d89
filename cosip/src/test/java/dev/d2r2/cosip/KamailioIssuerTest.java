package dev.d2r2.cosip;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.cosip.events.CosipEvents;
import dev.d2r2.cosip.events.ModeChange.Mode;
import dev.d2r2.cosip.events.RevocationPublished;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.sip.codec.SipParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kamailio as the provider, issuing per-registration credentials: on each REGISTER carrying a
 * CoSIP proxy's key its registrar route asks {@code d2r2 cosip-issuer} (exec + curl, see
 * {@code kamailio/issuer.cfg}) and puts the answer into its 200. Kamailio is killed: SIPp's calls
 * from alice reach bob's SIPp uas through the DHT on the credentials Kamailio handed out; carol,
 * revoked at the issuer during the outage, is refused by bob's proxy and as a callee by alice's
 * once they have read the list, and counted.
 */
class KamailioIssuerTest {
    private static final Path KAMAILIO = Path.of("/usr/sbin/kamailio");
    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final String CAROL = "sip:carol@example.org";

    @TempDir
    Path dir;

    @Test
    void kamailioHandsOutCredentialsThatCarryACallThroughTheDhtAndARevokedOneIsRefused() throws Exception {
        Peers.require(KAMAILIO, "kamailio");
        Peers.require(CURL, "curl");
        Peers.require(Rig.SIPP, "sip-tester");
        Identity provider = Identity.generate();
        Identity carolId = Identity.generate();
        Path tokenFile = dir.resolve("issuer.token");
        BearerToken token = BearerToken.loadOrCreate(tokenFile);
        List<Event> issuerEvents = new CopyOnWriteArrayList<>();
        int port = Rig.freeUdpPort();
        int uasPort = Rig.freeUdpPort();
        Process kamailio = null;
        Process uas = Rig.start(dir, "uas", List.of(Rig.SIPP.toString(), "-sn", "uas", "-i", "127.0.0.1", "-p", Integer.toString(uasPort),
                "-nostdin"));
        try (Rig rig = Rig.withProvider(new InetSocketAddress("127.0.0.1", port), provider.publicKey(), 600, 20);
             CosipIssuer issuer = CosipIssuer.start(new CosipIssuer.Settings(new InetSocketAddress("127.0.0.1", 0), Rig.DOMAIN,
                     Duration.ofHours(1), dir.resolve("revoked.txt")), provider, token, rig.join(), issuerEvents::add, Clock.system());
             RawUa aliceUa = new RawUa(); RawUa bobUa = new RawUa(); RawUa carolUa = new RawUa()) {
            CosipProxy carol = rig.another(carolId, new CopyOnWriteArrayList<>());
            String issuerUrl = "http://127.0.0.1:" + issuer.address().getPort();
            kamailio = Rig.start(dir, "kamailio", List.of(KAMAILIO.toString(), "-f", Rig.resource(dir, "/kamailio/issuer.cfg").toString(),
                    "-l", "udp:127.0.0.1:" + port, "-DD", "-E", "-w", dir.toString(), "-m", "64", "-M", "8",
                    "-A", "ISSUER_URL=\"" + issuerUrl + "/credential\"", "-A", "ISSUER_TOKEN_FILE=\"" + tokenFile + "\""));

            register(aliceUa, "alice", rig.alice);
            register(bobUa, "bob", rig.bob, "127.0.0.1:" + uasPort);
            register(carolUa, "carol", carol);
            for (CosipProxy p : new CosipProxy[] {rig.alice, rig.bob, carol}) {
                await().atMost(Duration.ofSeconds(20)).until(() -> Rig.status(p).counter("credentials.obtained") >= 1
                        && Rig.status(p).counter("dht.put.stored") >= 2);
            }
            assertThat(issuer.counters().get(5, TimeUnit.SECONDS).get("issued")).isGreaterThanOrEqualTo(3);
            SignedValue carols = rig.aliceNode.get(Credential.dhtKey(provider.publicKey(), CAROL)).get(10, TimeUnit.SECONDS).value();
            assertThat(Credential.check(carols, provider.publicKey(), CAROL, System.currentTimeMillis()).key())
                    .as("the credential Kamailio's 200 carried, read back from the DHT").isEqualTo(carolId.publicKey());

            HttpClient http = HttpClient.newHttpClient();
            assertThat(post(http, issuerUrl + "/revoke", null, "user=carol").statusCode()).isEqualTo(401);

            Rig.stop(kamailio);
            Rig.awaitMode(rig.alice, Mode.P2P);
            Rig.awaitMode(rig.bob, Mode.P2P);
            Rig.succeeds(dir, Rig.sippUac(dir, "uac", rig.alice, 3, 100), "uac");
            assertThat(Rig.status(rig.alice).counter("calls.answered.via-dht")).isEqualTo(3);
            assertThat(Rig.status(rig.bob).counter("calls.in.via-dht")).isEqualTo(3);

            HttpResponse<String> revoked = post(http, issuerUrl + "/revoke", BearerToken.read(tokenFile), "user=carol");
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
            assertThat(revocations(issuerEvents)).singleElement().satisfies(r -> {
                assertThat(r.aor()).isEqualTo(CAROL);
                assertThat(r.nodes()).isPositive();
            });
            assertThat(Files.readString(dir.resolve("revoked.txt"))).startsWith("carol ");
            assertThat(post(http, issuerUrl + "/credential", BearerToken.read(tokenFile), "user=carol&key=" + "ab".repeat(32)).statusCode())
                    .isEqualTo(403);
            assertThat(issuer.counters().get(5, TimeUnit.SECONDS)).containsEntry("refused.revoked", 1L)
                    .containsEntry("refused.unauthenticated", 1L);
            for (CosipProxy p : new CosipProxy[] {rig.alice, rig.bob}) {
                await().atMost(Duration.ofSeconds(15)).until(() -> Rig.status(p).counter("revocations.users") == 1);
            }

            assertThat(carolCalls(carolUa, carolId, carols, rig)).as("carol's genuine credential, signed by her own key, revoked")
                    .isEqualTo("403 Forbidden (credential revoked)");
            aliceUa.send(aliceUa.invite("carol", "to-a-revoked-callee", ""), rig.alice.address());
            String refused = aliceUa.receive();
            assertThat(refused.substring(8, refused.indexOf("\r\n"))).isEqualTo("403 Forbidden (callee credential revoked)");
            assertThat(Rig.status(rig.bob).counter("refused.credential.revoked")).isEqualTo(1);
            assertThat(Rig.status(rig.bob).counter("calls.in.via-dht")).isEqualTo(3);
            assertThat(Rig.status(rig.alice).counter("calls.p2p.callee-credential.revoked")).isEqualTo(1);
        } finally {
            Rig.stop(kamailio);
            Rig.stop(uas);
        }
    }

    /** Registers {@code user} through its proxy once Kamailio answers (it may still be starting). */
    private static void register(RawUa ua, String user, CosipProxy proxy) {
        register(ua, user, proxy, ua.hostPort());
    }

    /** Registers {@code user} with {@code contact} (host:port) as its user agent. */
    private static void register(RawUa ua, String user, CosipProxy proxy, String contact) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            ua.send(ua.register(user).replace("Contact: <sip:" + user + "@" + ua.hostPort(), "Contact: <sip:" + user + "@" + contact),
                    proxy.address());
            assertThat(ua.receive()).startsWith("SIP/2.0 200").doesNotContain(Credential.HEADER);
        });
    }

    private static HttpResponse<String> post(HttpClient http, String url, String token, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(form))
                .header("Content-Type", "application/x-www-form-urlencoded");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The start line of bob's proxy's answer to a P2P INVITE from carol, signed by her key, with her credential. */
    private static String carolCalls(RawUa caller, Identity carolId, SignedValue credential, Rig rig) throws Exception {
        String unsigned = caller.invite("bob", "revoked-caller", "").replace("sip:alice@", "sip:carol@");
        byte[] b = unsigned.getBytes(StandardCharsets.UTF_8);
        String sig = new CallSigner(carolId, rig.roster, Rig.DOMAIN, 30_000).sign(SipParser.datagram(b, 0, b.length), null,
                System.currentTimeMillis());
        caller.send(unsigned.replace("Content-Length", CallSigner.HEADER + ": " + sig + ";cred=" + Credential.encode(credential)
                + "\r\nContent-Length"), rig.bob.peerAddress());
        String answer = caller.receive();
        return answer.substring(8, answer.indexOf("\r\n"));
    }

    private static List<RevocationPublished> revocations(List<Event> events) throws Exception {
        List<RevocationPublished> out = new java.util.ArrayList<>();
        for (Event e : events) {
            if (e.type().equals(CosipEvents.REVOCATION.name())) {
                out.add(RevocationPublished.from(e));
            }
        }
        return out;
    }
}
